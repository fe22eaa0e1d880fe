/**
 * The decoded form of an OTLP `ExportTraceServiceRequest`, the same whichever encoding it came
 * in (protobuf or OTLP/JSON): ids as lower-case hex, times as decimal unix-nanosecond strings,
 * attribute values as plain JSON. The mapper (`otlp-mapper.ts`) works on this shape only.
 */

/** An OTLP `AnyValue` as JSON: int64 beyond 2^53 stays a decimal string, bytes become base64. */
export type OtlpValue = string | number | boolean | null | OtlpValue[] | { [key: string]: OtlpValue };

/** `repeated KeyValue` as an object; a repeated key keeps its last value, as the SDKs do. */
export type OtlpAttributes = Record<string, OtlpValue>;

export interface OtlpEvent {
  name: string;
  /** Decimal unix nanoseconds; `''` when absent. */
  timeUnixNano: string;
  attributes: OtlpAttributes;
}

export interface OtlpLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: OtlpAttributes;
}

/** `Status.StatusCode`: 0 UNSET, 1 OK, 2 ERROR. */
export type OtlpStatusCode = 0 | 1 | 2;

export interface OtlpSpan {
  /** Lower-case hex as received (validated by the mapper: 32 digits, not all zero). */
  traceId: string;
  /** Lower-case hex (16 digits, not all zero). */
  spanId: string;
  /** Lower-case hex, `''` for a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  /** `SpanKind`: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttributes;
  events: OtlpEvent[];
  links: OtlpLink[];
  status: { code: OtlpStatusCode; message: string };
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
}

export interface OtlpScope {
  name: string;
  version: string;
  attributes: OtlpAttributes;
}

export interface OtlpScopeSpans {
  scope: OtlpScope;
  spans: OtlpSpan[];
  schemaUrl: string;
}

export interface OtlpResourceSpans {
  resource: { attributes: OtlpAttributes };
  scopeSpans: OtlpScopeSpans[];
  schemaUrl: string;
}

export interface OtlpExportRequest {
  resourceSpans: OtlpResourceSpans[];
}

/** A span refused while decoding or mapping; it counts in `partial_success.rejected_spans`. */
export interface SpanRejection {
  traceId: string | null;
  spanId: string | null;
  reason: string;
}

/** What a decoder hands on: the spans it could read, and the ones it could not. */
export interface OtlpDecoded {
  request: OtlpExportRequest;
  rejected: SpanRejection[];
}

/** The wire encoding of a request; the answer uses the same one. */
export type OtlpEncoding = 'protobuf' | 'json';
