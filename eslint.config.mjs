// ESLint flat config: typescript-eslint with type information over src, test, bench and migrations.
// `npm run lint` runs it with --max-warnings 0, so every rule below is effectively an error.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const TS_FILES = ['{src,test,bench,migrations}/**/*.ts'];
const TEST_FILES = ['src/**/*.spec.ts', 'test/**/*.ts'];

// The few Node globals the plain CommonJS/ESM helpers use (no dependency on the `globals` package).
const nodeGlobals = Object.fromEntries(
  ['require', 'module', 'exports', '__dirname', '__filename', 'process', 'console', 'Buffer', 'URL'].map((name) => [
    name,
    'readonly',
  ]),
);

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'data/', 'coverage/', '.ci-out/', 'client-check/generated/']),

  // TypeScript: recommended + type-checked rules, with the project's tsconfig.json.
  {
    files: TS_FILES,
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      eqeqeq: ['error', 'always'],
      // `_`-prefixed names are deliberately unused (NestJS hooks, destructured omissions).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Empty classes are how NestJS declares modules (`@Module({...}) export class XModule {}`).
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },

  // Tests: Jest's `expect(obj.method).toHaveBeenCalled()` trips unbound-method, and supertest's
  // `res.body` is `any` by design.
  {
    files: TEST_FILES,
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  // Plain JavaScript helpers (e.g. the Jest Swagger-plugin adapter) and this file: syntax and basics only.
  {
    files: ['**/*.{js,cjs,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: nodeGlobals },
  },
  {
    files: ['**/*.{js,cjs}'],
    languageOptions: { sourceType: 'commonjs' },
  },

  // Formatting belongs to Prettier: turn off every stylistic rule it would fight with. Keep last.
  prettier,
);
