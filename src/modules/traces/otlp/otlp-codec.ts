import { Root, type Type } from 'protobufjs';
import { normalizeExportRequest, OtlpDecodeError } from './otlp-request';
import type { OtlpDecoded } from './otlp.types';

/**
 * The two wire encodings of OTLP/HTTP traces. The protobuf messages are declared here, field
 * numbers as in opentelemetry-proto v1 (`common/v1/common.proto`, `resource/v1/resource.proto`,
 * `trace/v1/trace.proto`, `collector/trace/v1/trace_service.proto`); fields added later
 * (e.g. `Resource.entity_refs`) are unknown to this schema and skipped by the decoder, as
 * protobuf intends. Field names are the lowerCamelCase of OTLP/JSON, so both encodings reach
 * `normalizeExportRequest` in the same shape.
 */
const field = (type: string, id: number, rule?: 'repeated') => ({ type, id, ...(rule ? { rule } : {}) });

const OTLP_SCHEMA = {
  nested: {
    otlp: {
      nested: {
        AnyValue: {
          oneofs: {
            value: {
              oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'],
            },
          },
          fields: {
            stringValue: field('string', 1),
            boolValue: field('bool', 2),
            intValue: field('int64', 3),
            doubleValue: field('double', 4),
            arrayValue: field('ArrayValue', 5),
            kvlistValue: field('KeyValueList', 6),
            bytesValue: field('bytes', 7),
          },
        },
        ArrayValue: { fields: { values: field('AnyValue', 1, 'repeated') } },
        KeyValueList: { fields: { values: field('KeyValue', 1, 'repeated') } },
        KeyValue: { fields: { key: field('string', 1), value: field('AnyValue', 2) } },
        InstrumentationScope: {
          fields: {
            name: field('string', 1),
            version: field('string', 2),
            attributes: field('KeyValue', 3, 'repeated'),
            droppedAttributesCount: field('uint32', 4),
          },
        },
        Resource: {
          fields: { attributes: field('KeyValue', 1, 'repeated'), droppedAttributesCount: field('uint32', 2) },
        },
        ResourceSpans: {
          fields: {
            resource: field('Resource', 1),
            scopeSpans: field('ScopeSpans', 2, 'repeated'),
            schemaUrl: field('string', 3),
          },
        },
        ScopeSpans: {
          fields: {
            scope: field('InstrumentationScope', 1),
            spans: field('Span', 2, 'repeated'),
            schemaUrl: field('string', 3),
          },
        },
        Span: {
          fields: {
            traceId: field('bytes', 1),
            spanId: field('bytes', 2),
            traceState: field('string', 3),
            parentSpanId: field('bytes', 4),
            flags: field('fixed32', 16),
            name: field('string', 5),
            kind: field('int32', 6), // enum SpanKind, read as its number
            startTimeUnixNano: field('fixed64', 7),
            endTimeUnixNano: field('fixed64', 8),
            attributes: field('KeyValue', 9, 'repeated'),
            droppedAttributesCount: field('uint32', 10),
            events: field('Event', 11, 'repeated'),
            droppedEventsCount: field('uint32', 12),
            links: field('Link', 13, 'repeated'),
            droppedLinksCount: field('uint32', 14),
            status: field('Status', 15),
          },
        },
        Event: {
          fields: {
            timeUnixNano: field('fixed64', 1),
            name: field('string', 2),
            attributes: field('KeyValue', 3, 'repeated'),
            droppedAttributesCount: field('uint32', 4),
          },
        },
        Link: {
          fields: {
            traceId: field('bytes', 1),
            spanId: field('bytes', 2),
            traceState: field('string', 3),
            attributes: field('KeyValue', 4, 'repeated'),
            droppedAttributesCount: field('uint32', 5),
            flags: field('fixed32', 6),
          },
        },
        Status: { fields: { message: field('string', 2), code: field('int32', 3) } }, // enum StatusCode
        ExportTraceServiceRequest: { fields: { resourceSpans: field('ResourceSpans', 1, 'repeated') } },
        ExportTraceServiceResponse: { fields: { partialSuccess: field('ExportTracePartialSuccess', 1) } },
        ExportTracePartialSuccess: {
          fields: { rejectedSpans: field('int64', 1), errorMessage: field('string', 2) },
        },
      },
    },
  },
};

const root = Root.fromJSON(OTLP_SCHEMA);
const RequestType: Type = root.lookupType('otlp.ExportTraceServiceRequest');
const ResponseType: Type = root.lookupType('otlp.ExportTraceServiceResponse');

/** Decodes `application/x-protobuf` bytes; an undecodable body throws `OtlpDecodeError`. */
export function decodeProtobufRequest(body: Uint8Array): OtlpDecoded {
  let raw: Record<string, unknown>;
  try {
    const message = RequestType.decode(body);
    // int64/fixed64 as exact decimal strings; bytes stay Buffers; enums as numbers.
    raw = RequestType.toObject(message, { longs: String, enums: Number, arrays: true });
  } catch (e) {
    throw new OtlpDecodeError(`The body is not a protobuf ExportTraceServiceRequest: ${(e as Error).message}`);
  }
  return normalizeExportRequest(raw);
}

/** Decodes a parsed OTLP/JSON body (`express.json` has parsed it already). */
export function decodeJsonRequest(body: unknown): OtlpDecoded {
  return normalizeExportRequest(body);
}

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** `ExportTraceServiceResponse` bytes; no rejection → the empty message (zero bytes). */
export function encodeProtobufResponse(partial: PartialSuccess | null): Uint8Array {
  const message = partial ? { partialSuccess: partial } : {};
  return ResponseType.encode(ResponseType.fromObject(message)).finish();
}

/** The OTLP/JSON `ExportTraceServiceResponse` (int64 as a decimal string, as proto3 JSON writes it). */
export interface ExportTraceServiceResponseJson {
  partialSuccess?: { rejectedSpans: string; errorMessage: string };
}

export function jsonResponse(partial: PartialSuccess | null): ExportTraceServiceResponseJson {
  return partial
    ? { partialSuccess: { rejectedSpans: String(partial.rejectedSpans), errorMessage: partial.errorMessage } }
    : {};
}

/** Exposed for tests that build protobuf requests by hand. */
export function encodeProtobufRequest(request: Record<string, unknown>): Uint8Array {
  return RequestType.encode(RequestType.fromObject(request)).finish();
}

export function decodeProtobufResponse(bytes: Uint8Array): Record<string, unknown> {
  return ResponseType.toObject(ResponseType.decode(bytes), { longs: Number });
}

export { OtlpDecodeError };
