import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { CUSTOM_EVENT_PAYLOAD_SCHEMA, CUSTOM_EVENT_TYPE, EVENT_PAYLOAD_SCHEMAS } from './event-types';

export type PayloadCheck = { ok: true } | { ok: false; reason: string };

const describe = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? [])
    .slice(0, 5)
    .map((e) => `payload${e.instancePath.replace(/\//g, '.')} ${e.message ?? 'is invalid'}`)
    .join('; ');

/** Validates an event payload against the schema of its type (schemas compiled once). */
export class EventValidator {
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly custom: ValidateFunction;

  constructor() {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    for (const [type, schema] of Object.entries(EVENT_PAYLOAD_SCHEMAS)) this.validators.set(type, ajv.compile(schema));
    this.custom = ajv.compile(CUSTOM_EVENT_PAYLOAD_SCHEMA);
  }

  check(type: string, payload: unknown): PayloadCheck {
    const validate = this.validators.get(type) ?? (CUSTOM_EVENT_TYPE.test(type) ? this.custom : undefined);
    if (!validate) {
      return { ok: false, reason: `unknown event type "${type}"; custom types are namespaced as <namespace>/<name>` };
    }
    return validate(payload) ? { ok: true } : { ok: false, reason: describe(validate.errors) };
  }
}
