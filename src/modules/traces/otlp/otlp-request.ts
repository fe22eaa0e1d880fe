import type {
  OtlpAttributes,
  OtlpDecoded,
  OtlpEvent,
  OtlpLink,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpStatusCode,
  OtlpValue,
  SpanRejection,
} from './otlp.types';

/**
 * Turns the message tree of an `ExportTraceServiceRequest` into `OtlpExportRequest`. Both
 * encodings arrive here in the same lowerCamelCase shape: protobufjs's `toObject()` of the
 * decoded message (ids and bytes as Buffers, int64 as decimal strings) and the parsed OTLP/JSON
 * body (ids as hex strings, int64 as strings or numbers, bytes as base64).
 *
 * A body whose structure above the spans is wrong (not an object, `resourceSpans` not a list...)
 * is undecodable: `OtlpDecodeError`, answered 400. A span that cannot be read (a field of the
 * wrong type, an attribute without a key, values nested too deep) is refused alone and reported
 * in `partial_success`; the other spans go on.
 */
export class OtlpDecodeError extends Error {}

/** Span-level refusal while reading a span; caught per span. */
class SpanDecodeError extends Error {}

/** Deeper `AnyValue` nesting than this refuses the span (no real instrumentation nests so). */
export const MAX_VALUE_DEPTH = 32;

type Raw = Record<string, unknown>;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** OTLP/JSON uses lowerCamelCase; proto3 JSON parsers also accept the proto field names. */
function field(o: Raw, camel: string, snake?: string): unknown {
  const v = o[camel];
  return v !== undefined || snake === undefined ? v : o[snake];
}

function list(o: Raw, camel: string, snake: string | undefined, where: string, fail: (m: string) => Error): unknown[] {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw fail(`${where}.${camel} must be a list`);
  return v;
}

function str(o: Raw, camel: string, snake?: string): string {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new SpanDecodeError(`${camel} must be a string`);
  return v;
}

function count(o: Raw, camel: string, snake: string): number {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new SpanDecodeError(`${camel} must be a count`);
  return n;
}

/** fixed64 nanoseconds: a decimal string or a number in JSON, a decimal string from protobufjs. */
function nanos(o: Raw, camel: string, snake: string): string {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return '';
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return BigInt(v).toString();
  // A JSON number beyond 2^53 has lost precision in JSON.parse already; the closest value is kept.
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return BigInt(v).toString();
  throw new SpanDecodeError(`${camel} must be unsigned integer nanoseconds`);
}

/**
 * A trace or span id: bytes (protobuf), or in JSON the hex the OTLP/JSON encoding prescribes
 * (any case); base64 (proto3's default for bytes, sent by some older clients) is accepted too
 * when it decodes to the expected length. Returns lower-case hex; the mapper checks the length.
 */
export function idToHex(v: unknown, bytes: number, name: string): string {
  if (v === undefined || v === null || v === '') return '';
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (typeof v !== 'string') throw new SpanDecodeError(`${name} must be a hex string`);
  if (/^[0-9a-f]*$/i.test(v) && v.length === bytes * 2) return v.toLowerCase();
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) {
    const decoded = Buffer.from(v, 'base64');
    if (decoded.length === bytes) return decoded.toString('hex');
  }
  if (/^[0-9a-f]*$/i.test(v)) return v.toLowerCase(); // wrong length: the mapper says so
  throw new SpanDecodeError(`${name} must be ${bytes * 2} hex digits`);
}

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, OtlpStatusCode> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** Enums are integers in OTLP/JSON; their names are accepted too. Unknown values read as 0. */
function enumValue<T extends number>(v: unknown, names: Record<string, T>, max: number, name: string): T | 0 {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v >= 0 && v <= max ? (v as T) : 0;
  if (typeof v === 'string' && v in names) return names[v];
  throw new SpanDecodeError(`${name} must be an enum value`);
}

/** An `AnyValue` as JSON. An unset value (`{}`) is null. */
export function anyValueToJson(raw: unknown, depth = 0): OtlpValue {
  if (depth > MAX_VALUE_DEPTH) throw new SpanDecodeError(`an attribute value nests deeper than ${MAX_VALUE_DEPTH}`);
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) throw new SpanDecodeError('an attribute value must be an AnyValue object');
  const s = field(raw, 'stringValue', 'string_value');
  if (s !== undefined && s !== null) {
    if (typeof s !== 'string') throw new SpanDecodeError('stringValue must be a string');
    return s;
  }
  const b = field(raw, 'boolValue', 'bool_value');
  if (b !== undefined && b !== null) {
    if (typeof b !== 'boolean') throw new SpanDecodeError('boolValue must be a boolean');
    return b;
  }
  const i = field(raw, 'intValue', 'int_value');
  if (i !== undefined && i !== null) {
    if (typeof i === 'number' && Number.isInteger(i)) return Number.isSafeInteger(i) ? i : BigInt(i).toString();
    if (typeof i === 'string' && /^-?\d{1,20}$/.test(i)) {
      const n = Number(i);
      return Number.isSafeInteger(n) ? n : BigInt(i).toString(); // beyond 2^53: exact, as a string
    }
    throw new SpanDecodeError('intValue must be an integer');
  }
  const d = field(raw, 'doubleValue', 'double_value');
  if (d !== undefined && d !== null) {
    if (typeof d === 'number') return d;
    // proto3 JSON writes non-finite doubles as strings; JSON has no place for them.
    if (d === 'NaN' || d === 'Infinity' || d === '-Infinity') return d;
    if (typeof d === 'string' && d.trim() !== '' && Number.isFinite(Number(d))) return Number(d);
    throw new SpanDecodeError('doubleValue must be a number');
  }
  const a = field(raw, 'arrayValue', 'array_value');
  if (a !== undefined && a !== null) {
    if (!isObject(a)) throw new SpanDecodeError('arrayValue must be an object');
    return list(a, 'values', undefined, 'arrayValue', (m) => new SpanDecodeError(m)).map((v) =>
      anyValueToJson(v, depth + 1),
    );
  }
  const kv = field(raw, 'kvlistValue', 'kvlist_value');
  if (kv !== undefined && kv !== null) {
    if (!isObject(kv)) throw new SpanDecodeError('kvlistValue must be an object');
    return keyValuesToAttributes(
      list(kv, 'values', undefined, 'kvlistValue', (m) => new SpanDecodeError(m)),
      depth + 1,
    );
  }
  const bytes = field(raw, 'bytesValue', 'bytes_value');
  if (bytes !== undefined && bytes !== null) {
    if (bytes instanceof Uint8Array)
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    if (typeof bytes === 'string') return bytes; // already base64 in OTLP/JSON
    throw new SpanDecodeError('bytesValue must be base64');
  }
  return null;
}

/** `repeated KeyValue` → object (a null-prototype-free plain object; `__proto__` is kept as data). */
export function keyValuesToAttributes(values: unknown[], depth = 0): OtlpAttributes {
  const out: OtlpAttributes = {};
  values.forEach((kv, index) => {
    if (!isObject(kv) || typeof kv.key !== 'string') {
      throw new SpanDecodeError(`attributes[${index}] must be a KeyValue with a string key`);
    }
    Object.defineProperty(out, kv.key, {
      value: anyValueToJson(kv.value, depth),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  return out;
}

function attributes(o: Raw): OtlpAttributes {
  return keyValuesToAttributes(list(o, 'attributes', undefined, 'attributes', (m) => new SpanDecodeError(m)));
}

function readEvent(raw: unknown, index: number): OtlpEvent {
  if (!isObject(raw)) throw new SpanDecodeError(`events[${index}] must be an object`);
  return {
    name: str(raw, 'name'),
    timeUnixNano: nanos(raw, 'timeUnixNano', 'time_unix_nano'),
    attributes: attributes(raw),
  };
}

function readLink(raw: unknown, index: number): OtlpLink {
  if (!isObject(raw)) throw new SpanDecodeError(`links[${index}] must be an object`);
  return {
    traceId: idToHex(field(raw, 'traceId', 'trace_id'), 16, `links[${index}].traceId`),
    spanId: idToHex(field(raw, 'spanId', 'span_id'), 8, `links[${index}].spanId`),
    traceState: str(raw, 'traceState', 'trace_state'),
    attributes: attributes(raw),
  };
}

function readSpan(raw: Raw): OtlpSpan {
  const status = field(raw, 'status');
  if (status !== undefined && status !== null && !isObject(status))
    throw new SpanDecodeError('status must be an object');
  const sub = (camel: string, snake: string) => list(raw, camel, snake, 'span', (m) => new SpanDecodeError(m));
  return {
    traceId: idToHex(field(raw, 'traceId', 'trace_id'), 16, 'traceId'),
    spanId: idToHex(field(raw, 'spanId', 'span_id'), 8, 'spanId'),
    parentSpanId: idToHex(field(raw, 'parentSpanId', 'parent_span_id'), 8, 'parentSpanId'),
    traceState: str(raw, 'traceState', 'trace_state'),
    name: str(raw, 'name'),
    kind: enumValue(field(raw, 'kind'), SPAN_KINDS, 5, 'kind'),
    startTimeUnixNano: nanos(raw, 'startTimeUnixNano', 'start_time_unix_nano'),
    endTimeUnixNano: nanos(raw, 'endTimeUnixNano', 'end_time_unix_nano'),
    attributes: attributes(raw),
    events: sub('events', 'events').map(readEvent),
    links: sub('links', 'links').map(readLink),
    status: status
      ? {
          code: enumValue(field(status, 'code'), STATUS_CODES, 2, 'status.code'),
          message: str(status, 'message'),
        }
      : { code: 0, message: '' },
    droppedAttributesCount: count(raw, 'droppedAttributesCount', 'dropped_attributes_count'),
    droppedEventsCount: count(raw, 'droppedEventsCount', 'dropped_events_count'),
    droppedLinksCount: count(raw, 'droppedLinksCount', 'dropped_links_count'),
  };
}

/** Best-effort ids of a span that could not be read, so its rejection can name it. */
function idsOf(raw: unknown): { traceId: string | null; spanId: string | null } {
  const safe = (v: unknown, bytes: number) => {
    try {
      return idToHex(v, bytes, 'id') || null;
    } catch {
      return null;
    }
  };
  if (!isObject(raw)) return { traceId: null, spanId: null };
  return { traceId: safe(field(raw, 'traceId', 'trace_id'), 16), spanId: safe(field(raw, 'spanId', 'span_id'), 8) };
}

const schemaUrlOf = (o: Raw) => {
  const v = field(o, 'schemaUrl', 'schema_url');
  return typeof v === 'string' ? v : '';
};

/** Reads a whole request (see the file comment). */
export function normalizeExportRequest(raw: unknown): OtlpDecoded {
  const fail = (m: string) => new OtlpDecodeError(m);
  if (!isObject(raw)) throw fail('The body must be an ExportTraceServiceRequest object');
  const rejected: SpanRejection[] = [];
  const resourceSpans: OtlpResourceSpans[] = list(raw, 'resourceSpans', 'resource_spans', 'request', fail).map(
    (rs, r) => {
      const where = `resourceSpans[${r}]`;
      if (!isObject(rs)) throw fail(`${where} must be an object`);
      const resource = field(rs, 'resource');
      if (resource !== undefined && resource !== null && !isObject(resource)) {
        throw fail(`${where}.resource must be an object`);
      }
      let resourceAttributes: OtlpAttributes;
      try {
        resourceAttributes = resource ? attributes(resource) : {};
      } catch (e) {
        throw fail(`${where}.resource: ${(e as Error).message}`);
      }
      const scopeSpans: OtlpScopeSpans[] = list(rs, 'scopeSpans', 'scope_spans', where, fail).map((ss, s) => {
        const scopeWhere = `${where}.scopeSpans[${s}]`;
        if (!isObject(ss)) throw fail(`${scopeWhere} must be an object`);
        const scope = field(ss, 'scope');
        if (scope !== undefined && scope !== null && !isObject(scope))
          throw fail(`${scopeWhere}.scope must be an object`);
        let scopeData;
        try {
          scopeData = scope
            ? { name: str(scope, 'name'), version: str(scope, 'version'), attributes: attributes(scope) }
            : { name: '', version: '', attributes: {} };
        } catch (e) {
          throw fail(`${scopeWhere}.scope: ${(e as Error).message}`);
        }
        const spans: OtlpSpan[] = [];
        for (const span of list(ss, 'spans', undefined, scopeWhere, fail)) {
          try {
            if (!isObject(span)) throw new SpanDecodeError('a span must be an object');
            spans.push(readSpan(span));
          } catch (e) {
            if (!(e instanceof SpanDecodeError)) throw e;
            rejected.push({ ...idsOf(span), reason: e.message });
          }
        }
        return { scope: scopeData, spans, schemaUrl: schemaUrlOf(ss) };
      });
      return {
        resource: { attributes: resourceAttributes },
        scopeSpans,
        schemaUrl: schemaUrlOf(rs),
      };
    },
  );
  return { request: { resourceSpans }, rejected };
}
