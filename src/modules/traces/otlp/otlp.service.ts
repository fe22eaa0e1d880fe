import { HttpException, Injectable, Logger, StreamableFile } from '@nestjs/common';
import type { Principal } from 'src/modules/auth/principal';
import { RunsIngestService } from 'src/modules/traces/runs/runs-ingest.service';
import type { RunIngestResult } from 'src/modules/traces/runs/runs.types';
import type { ExportTraceServiceResponseDto } from './dto/export-trace.dto';
import {
  decodeJsonRequest,
  decodeProtobufRequest,
  encodeProtobufResponse,
  jsonResponse,
  OtlpDecodeError,
  type PartialSuccess,
} from './otlp-codec';
import { mapExportRequest, type OtlpMapping } from './otlp-mapper';
import { OTLP_MAX_REASONS_IN_MESSAGE, OTLP_RETRY_AFTER_SECONDS, PROTOBUF_MEDIA_TYPE } from './otlp.constants';
import { OtlpInvalidRequestException, OtlpUnavailableException } from './otlp.exception';
import type { OtlpDecoded, OtlpEncoding, SpanRejection } from './otlp.types';

/**
 * OTLP/HTTP export: decode (protobuf or JSON) → map spans to runs and typed events
 * (`otlp-mapper.ts`) → store through the run layer → answer `ExportTraceServiceResponse` in the
 * request's encoding. A span refused anywhere on the way is counted in `partial_success` with
 * its reason; nothing is dropped silently. When storing fails on our side the answer is 503
 * with `Retry-After`, which the exporters retry (the run layer is idempotent: a retry stores
 * each run and event once).
 */
@Injectable()
export class OtlpService {
  private readonly logger = new Logger(OtlpService.name);

  constructor(private readonly runs: RunsIngestService) {}

  async export(
    principal: Principal,
    body: unknown,
    contentType: string | undefined,
  ): Promise<StreamableFile | ExportTraceServiceResponseDto> {
    const encoding = encodingOf(contentType);
    const decoded = decode(body, encoding);
    const mapping = mapExportRequest(decoded.request);
    const rejected = [...decoded.rejected, ...mapping.rejected];
    const warnings: SpanRejection[] = [];
    if (mapping.runs.length > 0) {
      const result = await this.store(principal, mapping);
      const outcome = runLayerOutcome(result, mapping);
      rejected.push(...outcome.refused);
      warnings.push(...outcome.warnings);
    }
    const partial = partialSuccess(rejected, warnings);
    if (encoding === 'json') return jsonResponse(partial);
    const bytes = encodeProtobufResponse(partial);
    return new StreamableFile(bytes, { type: PROTOBUF_MEDIA_TYPE, length: bytes.length });
  }

  private async store(principal: Principal, mapping: OtlpMapping): Promise<RunIngestResult> {
    try {
      return await this.runs.ingest(principal, { post: mapping.runs, patch: [] }, 'otlp', mapping.events);
    } catch (error) {
      if (error instanceof HttpException) throw error;
      this.logger.error({ err: error, runs: mapping.runs.length }, 'OTLP spans could not be stored; answering 503');
      throw new OtlpUnavailableException(OTLP_RETRY_AFTER_SECONDS);
    }
  }
}

/** The global ContentTypeGuard has let only protobuf and JSON through. */
function encodingOf(contentType: string | undefined): OtlpEncoding {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === PROTOBUF_MEDIA_TYPE ? 'protobuf' : 'json';
}

function decode(body: unknown, encoding: OtlpEncoding): OtlpDecoded {
  try {
    // No body at all (Content-Length: 0) is an empty request: nothing to store, nothing refused.
    if (body === undefined || body === null) return { request: { resourceSpans: [] }, rejected: [] };
    if (encoding === 'json') return decodeJsonRequest(body);
    if (!Buffer.isBuffer(body)) throw new OtlpDecodeError('The protobuf body could not be read');
    return decodeProtobufRequest(body);
  } catch (e) {
    if (e instanceof OtlpDecodeError) throw new OtlpInvalidRequestException(e.message);
    throw e;
  }
}

/**
 * What the run layer's errors mean for the spans. An error under a run is a refused span, except
 * a refused typed event (reason `event <type> refused: ...`): the run layer keeps that run, so
 * the span counts as stored and the refusal is passed on as a warning. An error this code cannot
 * place counts as a refused span rather than risk reporting a lost span as stored.
 */
function runLayerOutcome(
  result: RunIngestResult,
  mapping: OtlpMapping,
): { refused: SpanRejection[]; warnings: SpanRejection[] } {
  const spans = new Map(
    mapping.runs.map((run) => {
      const otel = (run.extra?.metadata as { otel?: { trace_id: string; span_id: string } } | undefined)?.otel;
      return [run.id, { traceId: otel?.trace_id ?? null, spanId: otel?.span_id ?? null }];
    }),
  );
  const refused = new Map<string, SpanRejection>();
  const unplaced: SpanRejection[] = [];
  const warnings: SpanRejection[] = [];
  for (const error of result.errors) {
    const span = error.run_id ? spans.get(error.run_id) : undefined;
    if (!span || !error.run_id) unplaced.push({ traceId: null, spanId: null, reason: error.reason });
    else if (error.reason.startsWith('event ')) warnings.push({ ...span, reason: error.reason });
    else if (!refused.has(error.run_id)) refused.set(error.run_id, { ...span, reason: error.reason });
  }
  return { refused: [...refused.values(), ...unplaced], warnings };
}

/**
 * `partial_success`: the refused spans' count, and the reasons (refusals first, then warnings
 * about stored spans, e.g. a typed event the session log refused). With warnings only, the count
 * is 0 and the message non-empty, as the OTLP specification provides.
 */
function partialSuccess(rejected: SpanRejection[], warnings: SpanRejection[]): PartialSuccess | null {
  const all = [...rejected, ...warnings];
  if (all.length === 0) return null;
  const reasons = all.slice(0, OTLP_MAX_REASONS_IN_MESSAGE).map((r) => {
    const where = r.traceId || r.spanId ? `span ${r.traceId ?? '?'}/${r.spanId ?? '?'}` : 'span';
    return `${where}: ${r.reason}`;
  });
  const more = all.length - reasons.length;
  const head = rejected.length > 0 ? `${rejected.length} span(s) refused` : 'All spans stored, with warnings';
  return {
    rejectedSpans: rejected.length,
    errorMessage: `${head}. ${reasons.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
  };
}
