import { createHash } from 'node:crypto';

/**
 * Identity of OTLP traces and spans as Flightdeck ids. Both are pure functions of the ids the
 * exporter sent, so a re-sent span lands on the same run and session.
 */

/** Never change it: every stored OTLP run id is derived from it. */
export const OTLP_SPAN_ID_NAMESPACE = '4123f827-613b-4d82-ad34-3f9316c26c38';

export const isTraceIdHex = (hex: string) => /^[0-9a-f]{32}$/.test(hex) && !/^0+$/.test(hex);
export const isSpanIdHex = (hex: string) => /^[0-9a-f]{16}$/.test(hex) && !/^0+$/.test(hex);

const format = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;

/**
 * The session and `trace_id` of an OTLP trace: its 32 hex digits as 8-4-4-4-12, with the
 * version nibble (13th digit) set to 8 and the variant bits (top two of the 17th digit) to 10,
 * i.e. an RFC 9562 UUIDv8 ("custom") carrying 122 of the trace id's 128 bits verbatim.
 *
 * Why not the 32 digits unchanged: a W3C trace id is 128 random bits, and 7 in 8 of them are not
 * RFC UUIDs (wrong version/variant nibbles). The API's id checks (`ParseUUIDPipe`,
 * class-validator `@IsUUID()`) accept only RFC UUIDs, so such a session could be stored but never
 * read back by id. The full trace id stays in `extra.metadata.otel.trace_id` of every run.
 */
export function traceIdToUuid(traceHex: string): string {
  const h = traceHex.toLowerCase();
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return format(`${h.slice(0, 12)}8${h.slice(13, 16)}${variant}${h.slice(17)}`);
}

/**
 * The run id of a span: a UUIDv5 (SHA-1, RFC 9562 §5.5) of `<trace hex>:<span hex>` in
 * `OTLP_SPAN_ID_NAMESPACE`. Computed from the span's own ids only, so a child that arrives
 * before its parent (exporters send a span when it ends, children first) already names the
 * parent's run id correctly.
 */
export function spanIdToUuid(traceHex: string, spanHex: string): string {
  const namespace = Buffer.from(OTLP_SPAN_ID_NAMESPACE.replace(/-/g, ''), 'hex');
  const digest = createHash('sha1')
    .update(namespace)
    .update(`${traceHex.toLowerCase()}:${spanHex.toLowerCase()}`, 'utf8')
    .digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return format(bytes.toString('hex'));
}
