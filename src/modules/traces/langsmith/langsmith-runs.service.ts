import { createHash } from 'node:crypto';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request } from 'express';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import type { AllConfig } from 'src/config/configuration';
import type { Principal } from 'src/modules/auth/principal';
import type { RunAttachmentRef } from 'src/modules/traces/runs/entities/run.entity';
import { RunFeedbackService } from 'src/modules/traces/runs/run-feedback.service';
import { RunsIngestService } from 'src/modules/traces/runs/runs-ingest.service';
import { RunRow, RunsRepository } from 'src/modules/traces/runs/runs.repository';
import type { RunBatchInput, RunIngestError, RunIngestResult } from 'src/modules/traces/runs/runs.types';
import { ObjectStorage } from 'src/storage/object-storage';
import type { LangsmithInfoDto } from './dto/info.dto';
import type { RunResponseDto } from './dto/run.dto';
import { LANGSMITH_BATCH_DEFAULTS, MULTIPART_INFLATE_FACTOR } from './langsmith.constants';
import { LangsmithErrorCode, LangsmithException, runFieldErrors } from './langsmith.exception';
import { readRunsMultipart } from './multipart/runs-multipart.reader';

/** An ingest answer: the HTTP status it deserves and the Agent Spy body. */
export interface IngestAnswer {
  status: number;
  body: RunIngestResult;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A storage key segment for an attachment name (kept apart from other names by a hash). */
function attachmentKey(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_=-]/g, '_').slice(0, 100) || 'attachment';
  return `${safe}-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}

/**
 * The LangSmith-compatible runs API over RunsIngestService: body shapes, HTTP statuses, the
 * multipart reader and attachments. Statuses: a batch with anything accepted is 200 (refused runs
 * listed in `errors`), one holding only patches kept for later is 202, one where every run was
 * refused is 403 (all for a pinned key's project) or 422; duplicates are never an error.
 */
@Injectable()
export class LangsmithRunsService {
  private readonly logger = new Logger(LangsmithRunsService.name);

  constructor(
    private readonly ingest: RunsIngestService,
    private readonly feedback: RunFeedbackService,
    private readonly runs: RunsRepository,
    private readonly storage: ObjectStorage,
    private readonly config: ConfigService<AllConfig, true>,
  ) {}

  info(): LangsmithInfoDto {
    return {
      version: this.config.getOrThrow('app', { infer: true }).version,
      license_expiration_time: null,
      batch_ingest_config: {
        use_multipart_endpoint: true,
        size_limit: LANGSMITH_BATCH_DEFAULTS.sizeLimit,
        size_limit_bytes: this.limitBytes(),
        scale_up_qsize_trigger: LANGSMITH_BATCH_DEFAULTS.scaleUpQsizeTrigger,
        scale_up_nthreads_limit: LANGSMITH_BATCH_DEFAULTS.scaleUpNthreadsLimit,
        scale_down_nempty_trigger: LANGSMITH_BATCH_DEFAULTS.scaleDownNemptyTrigger,
      },
      instance_flags: { gzip_body_enabled: true, zstd_compression_enabled: false },
    };
  }

  async createRun(principal: Principal, body: unknown): Promise<IngestAnswer> {
    const result = await this.ingest.ingest(principal, { post: [body as never], patch: [] }, 'langsmith');
    this.throwIfRefused(result, 'The run was refused');
    return { status: result.created_count > 0 ? HttpStatus.CREATED : HttpStatus.OK, body: result };
  }

  async updateRun(principal: Principal, runId: string, body: unknown): Promise<IngestAnswer> {
    if (!isObject(body))
      throw this.rejected([{ run_id: runId, code: 'invalid', reason: 'the body must be a JSON object' }]);
    if (body.id !== undefined && (typeof body.id !== 'string' || body.id.toLowerCase() !== runId.toLowerCase())) {
      throw this.rejected([
        { run_id: runId, code: 'invalid', reason: `the body's id ${JSON.stringify(body.id)} is not ${runId}` },
      ]);
    }
    const result = await this.ingest.ingest(principal, { post: [], patch: [{ ...body, id: runId }] }, 'langsmith');
    const notFound = result.errors.find((e) => e.code === 'not_found');
    if (notFound) throw new NotFoundAppException('Run', runId);
    this.throwIfRefused(result, 'The update was refused');
    return { status: result.updated_count > 0 ? HttpStatus.OK : HttpStatus.ACCEPTED, body: result };
  }

  async batch(principal: Principal, body: unknown): Promise<IngestAnswer> {
    const ops = isObject(body) ? body : undefined;
    if (
      !ops ||
      (ops.post !== undefined && !Array.isArray(ops.post)) ||
      (ops.patch !== undefined && !Array.isArray(ops.patch))
    ) {
      throw this.rejected([
        { run_id: null, code: 'invalid', reason: 'the body must be {"post": [...], "patch": [...]}' },
      ]);
    }
    const batch: RunBatchInput = { post: (ops.post ?? []) as never[], patch: (ops.patch ?? []) as never[] };
    return this.answer(await this.ingest.ingest(principal, batch, 'langsmith'));
  }

  async multipart(principal: Principal, req: Request): Promise<IngestAnswer> {
    const limit = this.limitBytes();
    const stored: string[] = [];
    let body;
    try {
      body = await readRunsMultipart(req, {
        limitBytes: limit,
        inflatedLimitBytes: limit * MULTIPART_INFLATE_FACTOR,
        storeAttachment: async (runId, name, contentType, data) => {
          const key = `langsmith/${principal.workspaceId}/${runId}/${attachmentKey(name)}`;
          const object = await this.storage.put(key, data, { contentType: contentType || 'application/octet-stream' });
          stored.push(key);
          const ref: RunAttachmentRef = {
            storage_path: object.key,
            content_type: object.contentType,
            size: object.size,
            sha256: object.sha256,
          };
          return ref;
        },
      });
    } catch (error) {
      await Promise.all(stored.map((key) => this.storage.delete(key).catch(() => undefined)));
      throw error;
    }
    const result = await this.ingest.ingest(
      principal,
      { post: body.post as never[], patch: body.patch as never[] },
      'langsmith',
      undefined,
      { attachments: body.attachments },
    );
    const feedback = body.feedback.length > 0 ? await this.feedback.create(principal, body.feedback) : undefined;
    const errors = [...body.errors, ...result.errors, ...(feedback?.errors ?? [])];
    const accepted = result.created_count + result.updated_count + (feedback?.feedback.length ?? 0);
    return this.answer({ ...result, success: errors.length === 0, errors }, accepted);
  }

  async getRun(principal: Principal, runId: string): Promise<RunResponseDto> {
    const row = await this.runs.getRun(principal.workspaceId, runId);
    if (!row) throw new NotFoundAppException('Run', runId);
    return toRunResponse(row);
  }

  /** The advertised `size_limit_bytes`: the JSON body limit, which the batch route also has. */
  private limitBytes(): number {
    return this.config.getOrThrow('http', { infer: true }).bodyLimitBytes;
  }

  private answer(result: RunIngestResult, accepted = result.created_count + result.updated_count): IngestAnswer {
    if (result.errors.length > 0) {
      for (const e of result.errors) {
        if (e.code !== 'pending') this.logger.warn({ runId: e.run_id, code: e.code, reason: e.reason }, 'run refused');
      }
    }
    const pending = result.errors.filter((e) => e.code === 'pending').length;
    if (accepted === 0 && pending === 0 && result.errors.length > 0) throw this.rejected(result.errors);
    return { status: accepted === 0 && pending > 0 ? HttpStatus.ACCEPTED : HttpStatus.OK, body: result };
  }

  private throwIfRefused(result: RunIngestResult, detail: string): void {
    const refused = result.errors.filter((e) => e.code !== 'pending');
    if (result.created_count + result.updated_count > 0 || refused.length === 0) return;
    if (refused.some((e) => e.code === 'conflict')) {
      throw new LangsmithException(HttpStatus.CONFLICT, LangsmithErrorCode.RunConflict, refused[0].reason, {
        errors: runFieldErrors(refused),
      });
    }
    throw this.rejected(refused, detail);
  }

  /** Every run refused: 403 when all for a pinned key's project, else 422, each run named in `errors`. */
  private rejected(errors: RunIngestError[], detail = 'No run of the request could be accepted') {
    const forbidden = errors.every((e) => e.code === 'forbidden');
    return new LangsmithException(
      forbidden ? HttpStatus.FORBIDDEN : HttpStatus.UNPROCESSABLE_ENTITY,
      forbidden ? 'project_mismatch' : LangsmithErrorCode.RunsRejected,
      `${detail}: ${errors[0]?.reason ?? ''}`,
      { errors: runFieldErrors(errors) },
    );
  }
}

export function toRunResponse(row: RunRow): RunResponseDto {
  return {
    id: row.id,
    name: row.name,
    run_type: row.run_type,
    status: row.status,
    start_time: row.start_time,
    end_time: row.end_time,
    duration_ms: row.duration_ms,
    trace_id: row.trace_id,
    parent_run_id: row.parent_run_id,
    dotted_order: row.dotted_order,
    session_id: row.project_id,
    project_name: row.project_name,
    inputs: row.inputs,
    outputs: row.outputs,
    error: row.error,
    extra: row.extra,
    tags: row.tags ?? [],
    events: row.events ?? [],
    serialized: row.serialized,
    reference_example_id: row.reference_example_id,
    attachments: Object.fromEntries(
      Object.entries(row.attachments ?? {}).map(([name, a]) => [
        name,
        { content_type: a.content_type, size: a.size, sha256: a.sha256 },
      ]),
    ),
    source: row.source,
  };
}
