import { RUN_LIMITS } from './runs.constants';
import { RUN_TYPES } from './runs.types';

/**
 * A run create or update after validation: times are ISO-8601 strings PostgreSQL reads exactly
 * (microseconds kept), absent fields are `undefined` (a patch leaves them as stored), explicit
 * nulls clear nothing (LangSmith semantics: null and absent are the same for data fields).
 */
export interface NormalizedRun {
  id: string;
  traceId?: string;
  parentRunId?: string | null;
  dottedOrder?: string;
  name?: string;
  runType?: string;
  startTime?: string;
  endTime?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  error?: string;
  extra?: Record<string, unknown>;
  tags?: string[];
  events?: unknown[];
  serialized?: Record<string, unknown>;
  referenceExampleId?: string;
  sessionName?: string;
  projectId?: string;
}

export type Normalized = { ok: true; run: NormalizedRun } | { ok: false; runId: string | null; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
/** One dotted-order segment: the start time without `-`, `:` and `.`, then the run id. */
const SEGMENT = /^\d{8}T\d{6,}Z([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const EPOCH_MS_MIN = Date.UTC(1970, 0, 1);
const EPOCH_MS_MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

class Invalid extends Error {}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Epoch microseconds → `2025-01-01T12:00:00.123456Z` (what PostgreSQL stores and gives back). */
export function formatMicros(epochMicros: number): string {
  const millis = Math.floor(epochMicros / 1000);
  const micros = String(epochMicros - Math.floor(epochMicros / 1_000_000) * 1_000_000).padStart(6, '0');
  return `${new Date(millis).toISOString().slice(0, 19)}.${micros}Z`;
}

/** Microseconds since the epoch of an ISO-8601 date-time or of epoch milliseconds; throws the reason otherwise. */
export function parseTimeMicros(value: unknown, field: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < EPOCH_MS_MIN || value > EPOCH_MS_MAX) {
      throw new Invalid(`${field} must be epoch milliseconds between 1970 and 9999 (got ${value})`);
    }
    return Math.round(value * 1000);
  }
  if (typeof value !== 'string') throw new Invalid(`${field} must be an ISO-8601 string or epoch milliseconds`);
  const m = ISO.exec(value.trim());
  if (!m) throw new Invalid(`${field} is not an ISO-8601 date-time: ${JSON.stringify(value.slice(0, 64))}`);
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const year = Number(y);
  const date = new Date(Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  if (
    year < 1970 ||
    date.getUTCMonth() !== Number(mo) - 1 ||
    date.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    throw new Invalid(`${field} is not a valid date-time: ${JSON.stringify(value.slice(0, 64))}`);
  }
  let ms = date.getTime();
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * 60_000;
  }
  return ms * 1000 + Number((fraction ?? '').padEnd(6, '0').slice(0, 6));
}

/** What normalizeTime produces, and what the SDK sends for start times: checked the cheap way. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** A time as `2025-01-01T12:00:00.123456Z` (UTC, microseconds), or throws the reason it is not one. */
export function normalizeTime(value: unknown, field: string): string {
  if (typeof value === 'string' && CANONICAL.test(value)) {
    const millis = value.slice(0, 23);
    const ms = Date.parse(`${millis}Z`);
    // The round trip refuses dates Date.parse would roll over (2025-02-30).
    if (ms >= EPOCH_MS_MIN && new Date(ms).toISOString().slice(0, 23) === millis) return value;
  }
  return formatMicros(parseTimeMicros(value, field));
}

/**
 * Microseconds since the epoch of a normalized time (exact). Normalized times are fixed-width
 * UTC strings, so they also compare correctly as strings.
 */
export function timeMicros(normalized: string): number {
  return Date.parse(`${normalized.slice(0, 23)}Z`) * 1000 + Number(normalized.slice(23, 26));
}

function uuid(value: unknown, field: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new Invalid(`${field} must be a UUID`);
  return value.toLowerCase();
}

function object(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new Invalid(`${field} must be a JSON object`);
  return value;
}

function text(value: unknown, field: string, max: number, allowEmpty = false): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Invalid(`${field} must be a string`);
  if (!allowEmpty && value.length === 0) throw new Invalid(`${field} must not be empty`);
  if (value.length > max) throw new Invalid(`${field} must be at most ${max} characters (got ${value.length})`);
  return value;
}

function tags(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new Invalid('tags must be an array of strings');
  if (value.length > RUN_LIMITS.tags) throw new Invalid(`tags must hold at most ${RUN_LIMITS.tags} entries`);
  for (const tag of value) {
    if (typeof tag !== 'string') throw new Invalid('tags must be an array of strings');
    if (tag.length > RUN_LIMITS.tagLength) throw new Invalid(`a tag is longer than ${RUN_LIMITS.tagLength} characters`);
  }
  return value as string[];
}

function dottedOrder(value: unknown, runId: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Invalid('dotted_order must be a string');
  if (value.length > RUN_LIMITS.dottedOrderLength) {
    throw new Invalid(`dotted_order must be at most ${RUN_LIMITS.dottedOrderLength} characters`);
  }
  let last = '';
  for (const segment of value.split('.')) {
    const m = SEGMENT.exec(segment);
    if (!m) {
      throw new Invalid(
        `dotted_order segment ${JSON.stringify(segment.slice(0, 80))} is not <YYYYMMDDTHHMMSSffffffZ><run id>`,
      );
    }
    last = m[1].toLowerCase();
  }
  if (last !== runId) throw new Invalid(`dotted_order must end with the run's own id ${runId}`);
  return value;
}

/**
 * Validates the fields of one run create (`post`) or update (`patch`) and brings them to one
 * shape. A patch needs at least one field to change; a post's required fields are checked by
 * `checkComplete` once the patches of the same batch are merged into it.
 */
export function normalizeRun(raw: unknown, kind: 'post' | 'patch'): Normalized {
  if (!isObject(raw)) return { ok: false, runId: null, reason: `a ${kind} must be a JSON object` };
  const rawId = raw.id;
  let id: string;
  try {
    id = uuid(rawId, 'id');
  } catch (e) {
    return { ok: false, runId: typeof rawId === 'string' ? rawId.slice(0, 100) : null, reason: (e as Error).message };
  }
  try {
    const run: NormalizedRun = { id };
    if (raw.trace_id !== undefined && raw.trace_id !== null) run.traceId = uuid(raw.trace_id, 'trace_id');
    if (raw.parent_run_id !== undefined) {
      run.parentRunId = raw.parent_run_id === null ? null : uuid(raw.parent_run_id, 'parent_run_id');
      if (run.parentRunId === id) throw new Invalid('parent_run_id must not be the run itself');
    }
    run.dottedOrder = dottedOrder(raw.dotted_order, id);
    run.name = text(raw.name, 'name', RUN_LIMITS.nameLength);
    if (raw.run_type !== undefined && raw.run_type !== null) {
      if (typeof raw.run_type !== 'string' || !(RUN_TYPES as readonly string[]).includes(raw.run_type)) {
        throw new Invalid(`run_type must be one of ${RUN_TYPES.join(', ')}`);
      }
      run.runType = raw.run_type;
    }
    if (raw.start_time !== undefined && raw.start_time !== null)
      run.startTime = normalizeTime(raw.start_time, 'start_time');
    if (raw.end_time !== undefined && raw.end_time !== null) run.endTime = normalizeTime(raw.end_time, 'end_time');
    run.inputs = object(raw.inputs, 'inputs');
    run.outputs = object(raw.outputs, 'outputs');
    run.extra = object(raw.extra, 'extra');
    run.serialized = object(raw.serialized, 'serialized');
    run.error = text(raw.error, 'error', Number.MAX_SAFE_INTEGER, true);
    run.tags = tags(raw.tags);
    if (raw.events !== undefined && raw.events !== null) {
      if (!Array.isArray(raw.events)) throw new Invalid('events must be an array');
      run.events = raw.events as unknown[];
    }
    if (raw.reference_example_id !== undefined && raw.reference_example_id !== null) {
      run.referenceExampleId = uuid(raw.reference_example_id, 'reference_example_id');
    }
    run.sessionName = text(raw.session_name, 'session_name', RUN_LIMITS.sessionNameLength);
    if (raw.session_id !== undefined && raw.session_id !== null) run.projectId = uuid(raw.session_id, 'session_id');
    if (kind === 'patch' && !hasChange(run)) {
      throw new Invalid('a patch must change at least one field (end_time, outputs, error, ...)');
    }
    return { ok: true, run: dropUndefined(run) };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, runId: id, reason: e.message };
    throw e;
  }
}

/** A post's required fields, and a consistent time range. */
function assertComplete(run: NormalizedRun): void {
  const missing = (['name', 'runType', 'startTime'] as const).filter((k) => run[k] === undefined);
  if (missing.length > 0) {
    const names = { name: 'name', runType: 'run_type', startTime: 'start_time' };
    throw new Invalid(`a run needs ${missing.map((k) => names[k]).join(', ')}`);
  }
  if (run.endTime !== undefined && run.endTime < run.startTime!) {
    throw new Invalid(`end_time ${run.endTime} is before start_time ${run.startTime}`);
  }
}

/** Why a post cannot be stored (name, run_type, start_time missing, or an end before the start), or null. */
export function checkComplete(run: NormalizedRun): string | null {
  try {
    assertComplete(run);
    return null;
  } catch (e) {
    if (e instanceof Invalid) return e.message;
    throw e;
  }
}

const CHANGE_FIELDS: (keyof NormalizedRun)[] = [
  'name',
  'runType',
  'startTime',
  'endTime',
  'inputs',
  'outputs',
  'error',
  'extra',
  'tags',
  'events',
  'serialized',
  'referenceExampleId',
];

function hasChange(run: NormalizedRun): boolean {
  return CHANGE_FIELDS.some((k) => run[k] !== undefined);
}

function dropUndefined(run: NormalizedRun): NormalizedRun {
  for (const key of Object.keys(run) as (keyof NormalizedRun)[]) if (run[key] === undefined) delete run[key];
  return run;
}

/** A later operation on the same run wins field by field; absent fields keep the earlier value. */
export function mergeRuns(base: NormalizedRun, update: NormalizedRun): NormalizedRun {
  const merged: NormalizedRun = { ...base };
  for (const [key, value] of Object.entries(update) as [keyof NormalizedRun, unknown][]) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
const NUL = String.fromCharCode(0);

/**
 * PostgreSQL cannot store U+0000 (in text or jsonb) nor lone UTF-16 surrogates: both become
 * U+FFFD, everywhere in the run, rather than cost the run. Returns whether anything changed.
 */
export function sanitizeRun(run: NormalizedRun): boolean {
  let changed = false;
  const clean = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (!value.includes(NUL) && !LONE_SURROGATE.test(value)) return value;
      changed = true;
      return value.split(NUL).join('\ufffd').replace(LONE_SURROGATES, '\ufffd');
    }
    if (Array.isArray(value)) return value.map(clean);
    if (isObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[clean(k) as string] = clean(v);
      return out;
    }
    return value;
  };
  for (const key of Object.keys(run) as (keyof NormalizedRun)[]) {
    (run as unknown as Record<string, unknown>)[key] = clean(run[key]);
  }
  return changed;
}
