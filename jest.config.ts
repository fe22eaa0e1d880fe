import type { Config } from 'jest';

// NestJS 12 ships as ES modules. Node 20 can require() them, but Jest's module runtime cannot
// before Node 24.9, so Jest compiles those packages to CommonJS with SWC (fast, cached).
const esmPackages = ['@opentelemetry/otlp-exporter-base', 'jose', 'oidc-provider', '@nestjs', 'file-type', 'strtok3', 'token-types', '@tokenizer', 'uint8array-extras', 'load-esm'];

const transform: Config['transform'] = {
  '^.+\\.ts$': [
    'ts-jest',
    {
      tsconfig: 'tsconfig.json',
      astTransformers: {
        before: [
          {
            path: '<rootDir>/test/setup/swagger-plugin.transformer.js',
            options: { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts', '.entity.ts'] },
          },
        ],
      },
    },
  ],
  '^.+\\.m?js$': ['@swc/jest', { module: { type: 'commonjs' }, jsc: { target: 'es2022' } }],
};

const common: Config = {
  testEnvironment: 'node',
  rootDir: '.',
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper: { '^src/(.*)$': '<rootDir>/src/$1', '^test/(.*)$': '<rootDir>/test/$1' },
};

const config: Config = {
  // Tests and hooks (an app boot in beforeAll) get 30 s: one --runInBand process boots an app per
  // e2e file, and late in a run its boot can take longer than Jest's 5 s default. A hook that
  // timed out would leave its app, and its Redis connections, open after the run. (A global
  // option: Jest ignores it inside projects.)
  testTimeout: 30_000,
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
export default config;
