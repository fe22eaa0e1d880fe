// ts-jest wants a CommonJS AST transformer with name/version/factory; the Swagger CLI plugin
// is an ES module, so this adapter loads it with require(esm) and applies it like `nest build`.
const { before } = require('@nestjs/swagger/plugin');

module.exports = {
  name: 'nestjs-swagger-plugin',
  version: 1,
  factory: (tsCompiler, options) => before(options, tsCompiler.program),
};
