// `node -r ./.ci/swagger-ts-node.cjs file.ts`: runs TypeScript through ts-node with the
// @nestjs/swagger CLI plugin applied exactly as nest-cli.json configures it for `nest build`.
// Without the plugin (e.g. `ts-node --transpile-only`), DTO fields that carry no @ApiProperty
// (the plugin infers them from types and comments) are missing from the generated document, so
// openapi.json would differ from what the built app serves at /docs-json.
const { join } = require('node:path');
const { before } = require('@nestjs/swagger/plugin');
const nestCli = require(join(__dirname, '..', 'nest-cli.json'));

const plugin = (nestCli.compilerOptions?.plugins ?? []).find(
  (p) => (typeof p === 'string' ? p : p.name) === '@nestjs/swagger',
);
const options = typeof plugin === 'object' ? (plugin.options ?? {}) : {};

require('ts-node').register({
  project: join(__dirname, '..', 'tsconfig.json'),
  files: true,
  // The plugin needs the type checker, so this cannot be transpile-only.
  transformers: (program) => ({ before: [before(options, program)] }),
});
