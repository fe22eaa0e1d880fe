import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** `ExportTracePartialSuccess` in OTLP/JSON (lowerCamelCase; int64 as a decimal string). */
export class ExportTracePartialSuccessDto {
  /** Spans refused (invalid, or refused by the run layer); every other span is stored. */
  @ApiProperty({ type: String, pattern: '^\\d+$', example: '2' })
  rejectedSpans: string;

  /** Why, span by span (the first few; the count covers all). */
  @ApiProperty({ example: 'span 4bf92f3577b34da6a3ce929d0e0e4736/00f067aa0ba902b7: traceId must be 16 bytes' })
  errorMessage: string;
}

/**
 * `ExportTraceServiceResponse`. Answered in the request's encoding: this JSON for
 * `application/json`, the protobuf message for `application/x-protobuf`. Empty when every span
 * was stored.
 */
export class ExportTraceServiceResponseDto {
  @ApiPropertyOptional({ type: ExportTracePartialSuccessDto })
  partialSuccess?: ExportTracePartialSuccessDto;
}

/**
 * The request body in OpenAPI (both media types share one schema there): an OTLP/JSON object,
 * or the protobuf `ExportTraceServiceRequest` bytes.
 */
export const EXPORT_TRACE_REQUEST_BODY = {
  description:
    'An OTLP `ExportTraceServiceRequest` (opentelemetry-proto v1): OTLP/JSON as `application/json` ' +
    '(lowerCamelCase fields, hex trace/span ids, int64 as strings, enums as integers), or the protobuf ' +
    'message as `application/x-protobuf`. `Content-Encoding: gzip` is accepted.',
  required: true,
  schema: {
    oneOf: [
      {
        title: 'OTLP/JSON ExportTraceServiceRequest',
        type: 'object',
        properties: { resourceSpans: { type: 'array', items: { type: 'object', additionalProperties: true } } },
      },
      { title: 'Protobuf ExportTraceServiceRequest', type: 'string', format: 'binary' },
    ],
  },
};
