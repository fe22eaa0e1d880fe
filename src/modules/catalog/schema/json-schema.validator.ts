import Ajv, { type Options } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import type AjvCore from 'ajv/dist/core';
import addFormats from 'ajv-formats';
import { HttpStatus } from '@nestjs/common';
import type { FieldError } from 'src/common/errors/app.exception';
import { MAX_SCHEMA_BYTES } from '../catalog.constants';
import { CatalogErrorCode, CatalogException } from '../catalog.exception';

/** A JSON Schema document as stored (jsonb) and handed to readers. */
export type JsonSchemaObject = Record<string, unknown>;

export interface SchemaRules {
  /**
   * Tool arguments and MCP input/output schemas describe a JSON object (OpenAI function
   * parameters and MCP both require `type: "object"` at the root).
   */
  objectRoot: boolean;
}

const DRAFT_07 = ['http://json-schema.org/draft-07/schema#', 'http://json-schema.org/draft-07/schema'];
const DRAFT_2019 = ['https://json-schema.org/draft/2019-09/schema', 'https://json-schema.org/draft/2019-09/schema#'];
const DRAFT_2020 = ['https://json-schema.org/draft/2020-12/schema', 'https://json-schema.org/draft/2020-12/schema#'];
const MAX_ERRORS = 20;

/**
 * Strict compilation: unknown keywords and unknown formats are errors (a typo such as `requried`
 * would otherwise silently validate nothing). Type/tuple/required strictness stays off: schemas
 * from MCP servers and OpenAI tools routinely omit `type` beside `properties`, and such schemas
 * are valid JSON Schema.
 */
const OPTIONS: Options = {
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allowUnionTypes: true,
  allErrors: true,
  validateSchema: false,
  // Schemas with an `$id` are not registered on the shared instance: two tools may share one.
  addUsedSchema: false,
};

type Dialect = { ajv: AjvCore; name: string };
const dialects = new Map<string, Dialect>();

function dialect(name: 'draft-07' | '2019-09' | '2020-12'): Dialect {
  let found = dialects.get(name);
  if (!found) {
    const ajv: AjvCore =
      name === '2020-12' ? new Ajv2020(OPTIONS) : name === '2019-09' ? new Ajv2019(OPTIONS) : new Ajv(OPTIONS);
    addFormats(ajv);
    found = { ajv, name };
    dialects.set(name, found);
  }
  return found;
}

/** Draft-07 unless `$schema` names 2019-09 or 2020-12 (the MCP SDKs emit draft-07 or 2020-12). */
function dialectOf(schema: JsonSchemaObject): Dialect | null {
  const declared = schema.$schema;
  if (declared === undefined || (typeof declared === 'string' && DRAFT_07.includes(declared))) {
    return dialect('draft-07');
  }
  if (typeof declared === 'string' && DRAFT_2019.includes(declared)) return dialect('2019-09');
  if (typeof declared === 'string' && DRAFT_2020.includes(declared)) return dialect('2020-12');
  return null;
}

/**
 * Every reason `schema` is not an acceptable JSON Schema, each naming the path under `field`
 * (e.g. `parameters_schema.properties.city.type`). Empty when it is acceptable.
 */
export function jsonSchemaErrors(
  schema: unknown,
  field: string,
  rules: SchemaRules = { objectRoot: true },
): FieldError[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return [{ field, message: 'must be a JSON Schema object' }];
  }
  const doc = schema as JsonSchemaObject;
  if (Buffer.byteLength(JSON.stringify(doc)) > MAX_SCHEMA_BYTES) {
    return [{ field, message: `must be at most ${MAX_SCHEMA_BYTES} bytes of JSON` }];
  }
  const found = dialectOf(doc);
  if (!found) {
    return [
      {
        field: `${field}.$schema`,
        message: 'unsupported dialect: use draft-07 (the default), 2019-09 or 2020-12',
      },
    ];
  }
  const errors: FieldError[] = [];
  if (rules.objectRoot && doc.type !== 'object') {
    errors.push({ field: `${field}.type`, message: 'must be "object": tool arguments are a JSON object' });
  }
  const { ajv } = found;
  if (!ajv.validateSchema(doc)) {
    for (const e of ajv.errors ?? []) {
      // anyOf/oneOf summaries repeat what their branches said.
      if (e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
      errors.push({ field: joinPointer(field, e.instancePath), message: e.message ?? 'is not valid' });
    }
    return dedupe(errors);
  }
  try {
    ajv.compile(doc);
  } catch (err) {
    errors.push(compileError(doc, field, err));
  } finally {
    ajv.removeSchema(doc);
  }
  return dedupe(errors);
}

/** Throws 422 `invalid_json_schema` naming each path when `schema` is not acceptable. */
export function assertJsonSchema(schema: unknown, field: string, rules: SchemaRules = { objectRoot: true }): void {
  const errors = jsonSchemaErrors(schema, field, rules);
  if (errors.length > 0) throw invalidJsonSchema(errors);
}

export function invalidJsonSchema(errors: FieldError[]): CatalogException {
  return new CatalogException(
    HttpStatus.UNPROCESSABLE_ENTITY,
    CatalogErrorCode.InvalidJsonSchema,
    `Not a valid JSON Schema: ${errors[0].field} ${errors[0].message}`,
    { errors: errors.slice(0, MAX_ERRORS) },
  );
}

/** Compile-time failures carry no instance path: find where in the schema they come from. */
function compileError(schema: JsonSchemaObject, field: string, err: unknown): FieldError {
  const message = err instanceof Error ? err.message : String(err);
  const missingRef = (err as { missingRef?: unknown }).missingRef;
  if (typeof missingRef === 'string') {
    return {
      field: joinPointer(field, refPath(schema, missingRef) ?? ''),
      message: `cannot resolve $ref ${missingRef}`,
    };
  }
  const unknownKeyword = /unknown keyword: "([^"]+)"/.exec(message);
  if (unknownKeyword) {
    const at = locateKeyword(schema, unknownKeyword[1], '');
    return {
      field: joinPointer(field, at === null ? '' : `${at}/${escapePointer(unknownKeyword[1])}`),
      message: `unknown keyword "${unknownKeyword[1]}"`,
    };
  }
  const unknownFormat = /unknown format "([^"]+)" ignored in schema at path "#([^"]*)"/.exec(message);
  if (unknownFormat) {
    return { field: joinPointer(field, `${unknownFormat[2]}/format`), message: `unknown format "${unknownFormat[1]}"` };
  }
  return { field, message: message.replace(/^strict mode: /, '') };
}

/** Where the first `$ref` to `target` sits, as a JSON pointer. */
function refPath(node: unknown, target: string, at = ''): string | null {
  if (typeof node !== 'object' || node === null) return null;
  if (!Array.isArray(node) && (node as JsonSchemaObject).$ref === target) return `${at}/$ref`;
  for (const [key, value] of Object.entries(node)) {
    const found = refPath(value, target, `${at}/${escapePointer(key)}`);
    if (found !== null) return found;
  }
  return null;
}

/** Keywords whose value is a map of names to subschemas (the names themselves are not keywords). */
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'dependencies'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items'];
const SCHEMA_VALUES = [
  'not',
  'if',
  'then',
  'else',
  'items',
  'additionalItems',
  'additionalProperties',
  'contains',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
];

/** The pointer of the first subschema (walking only schema positions) that uses `keyword`. */
function locateKeyword(node: unknown, keyword: string, at: string): string | null {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return null;
  const schema = node as JsonSchemaObject;
  if (Object.hasOwn(schema, keyword)) return at;
  for (const key of SCHEMA_MAPS) {
    const map = schema[key];
    if (typeof map !== 'object' || map === null || Array.isArray(map)) continue;
    for (const [name, sub] of Object.entries(map)) {
      const found = locateKeyword(sub, keyword, `${at}/${key}/${escapePointer(name)}`);
      if (found !== null) return found;
    }
  }
  for (const key of SCHEMA_LISTS) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    for (const [i, sub] of list.entries()) {
      const found = locateKeyword(sub, keyword, `${at}/${key}/${i}`);
      if (found !== null) return found;
    }
  }
  for (const key of SCHEMA_VALUES) {
    const found = locateKeyword(schema[key], keyword, `${at}/${key}`);
    if (found !== null) return found;
  }
  return null;
}

const escapePointer = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

/** `parameters_schema` + `/properties/a~1b/type` → `parameters_schema.properties.a/b.type`. */
function joinPointer(field: string, pointer: string): string {
  if (!pointer) return field;
  const tokens = pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  return [field, ...tokens].join('.');
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.field}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
