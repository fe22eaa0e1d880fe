import { CatalogException } from '../catalog.exception';
import { assertJsonSchema, jsonSchemaErrors } from './json-schema.validator';

describe('jsonSchemaErrors', () => {
  const weather = {
    type: 'object',
    properties: { city: { type: 'string', minLength: 1 }, days: { type: 'integer', minimum: 1, maximum: 14 } },
    required: ['city'],
    additionalProperties: false,
  };

  it('accepts a draft-07 object schema, with or without $schema', () => {
    expect(jsonSchemaErrors(weather, 'parameters_schema')).toEqual([]);
    expect(jsonSchemaErrors({ $schema: 'http://json-schema.org/draft-07/schema#', ...weather }, 's')).toEqual([]);
  });

  it('accepts 2020-12 and 2019-09 schemas by their $schema', () => {
    const tuple = { type: 'object', properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }] } } };
    expect(jsonSchemaErrors({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...tuple }, 's')).toEqual([]);
    expect(
      jsonSchemaErrors({ $schema: 'https://json-schema.org/draft/2019-09/schema', ...weather, $defs: {} }, 's'),
    ).toEqual([]);
  });

  it('accepts local $refs, formats, union types and an $id used twice', () => {
    const schema = {
      $id: 'https://example.test/schemas/contact',
      type: 'object',
      definitions: { email: { type: 'string', format: 'email' } },
      properties: { to: { $ref: '#/definitions/email' }, cc: { type: ['string', 'null'] } },
    };
    expect(jsonSchemaErrors(schema, 's')).toEqual([]);
    expect(jsonSchemaErrors({ ...schema }, 's')).toEqual([]);
  });

  it('names the path of a type the meta-schema refuses', () => {
    const errors = jsonSchemaErrors({ type: 'object', properties: { city: { type: 'strin' } } }, 'parameters_schema');
    expect(errors.map((e) => e.field)).toContain('parameters_schema.properties.city.type');
    expect(errors.every((e) => e.field.startsWith('parameters_schema.properties.city.type'))).toBe(true);
  });

  it('names the path of a malformed keyword value', () => {
    expect(jsonSchemaErrors({ type: 'object', required: 'city' }, 'input_schema')).toEqual([
      { field: 'input_schema.required', message: 'must be array' },
    ]);
  });

  it('refuses unknown keywords (strict mode) where they are, not in property names', () => {
    const schema = {
      type: 'object',
      properties: { requried: { type: 'string' }, city: { type: 'string', requried: true } },
    };
    expect(jsonSchemaErrors(schema, 's')).toEqual([
      { field: 's.properties.city.requried', message: 'unknown keyword "requried"' },
    ]);
  });

  it('refuses unknown formats and unresolvable $refs, naming where', () => {
    expect(jsonSchemaErrors({ type: 'object', properties: { at: { type: 'string', format: 'when' } } }, 's')).toEqual([
      { field: 's.properties.at.format', message: 'unknown format "when"' },
    ]);
    expect(jsonSchemaErrors({ type: 'object', properties: { to: { $ref: '#/definitions/nowhere' } } }, 's')).toEqual([
      { field: 's.properties.to.$ref', message: 'cannot resolve $ref #/definitions/nowhere' },
    ]);
  });

  it('requires an object root for arguments unless told otherwise', () => {
    expect(jsonSchemaErrors({ type: 'string' }, 's')).toEqual([
      { field: 's.type', message: 'must be "object": tool arguments are a JSON object' },
    ]);
    expect(jsonSchemaErrors({ type: 'string' }, 's', { objectRoot: false })).toEqual([]);
  });

  it('refuses non-objects, unknown dialects and oversized schemas', () => {
    expect(jsonSchemaErrors([], 's')).toEqual([{ field: 's', message: 'must be a JSON Schema object' }]);
    expect(jsonSchemaErrors('{"type":"object"}', 's')).toEqual([
      { field: 's', message: 'must be a JSON Schema object' },
    ]);
    expect(jsonSchemaErrors({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' }, 's')[0].field).toBe(
      's.$schema',
    );
    const huge = { type: 'object', description: 'x'.repeat(70_000) };
    expect(jsonSchemaErrors(huge, 's')[0].message).toMatch(/at most 65536 bytes/);
  });

  it('assertJsonSchema throws 422 invalid_json_schema with the errors', () => {
    expect(() => assertJsonSchema(weather, 's')).not.toThrow();
    try {
      assertJsonSchema({ type: 'object', properties: { a: { minimum: 'one' } } }, 'parameters_schema');
      throw new Error('expected a refusal');
    } catch (err) {
      expect(err).toBeInstanceOf(CatalogException);
      const e = err as CatalogException;
      expect(e.getStatus()).toBe(422);
      expect(e.code).toBe('invalid_json_schema');
      expect(e.extras.errors).toEqual([{ field: 'parameters_schema.properties.a.minimum', message: 'must be number' }]);
    }
  });
});
