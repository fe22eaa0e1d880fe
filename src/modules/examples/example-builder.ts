import { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';
import { CatalogReader } from 'src/modules/catalog/catalog-reader';
import { SessionsRepository } from 'src/modules/sessions/sessions.repository';
import type { QueueJob } from 'src/queue/job-queue';
import { ObjectStorage } from 'src/storage/object-storage';
import type { ExampleEntity, ExamplePhase, ExampleStats } from './entities/example.entity';
import { ExamplePiiPatterns } from './example-pii';
import {
  type BuildExampleJob,
  EXAMPLE_CONTENT_TYPE,
  EXAMPLE_EVENTS_PAGE,
  EXAMPLE_PROGRESS_INTERVAL_MS,
  EXAMPLE_WRITE_CHUNK_BYTES,
  exampleMessagesKey,
} from './examples.constants';
import { ExamplesEvents } from './examples.events';
import { PermanentBuildError } from './examples.exception';
import { ExamplesRepository } from './examples.repository';
import type { ChatTool, ToolNames } from './transform/chat-format';
import { CONVERSATION_EVENT_TYPES, NO_FILTER, type SessionEventRecord } from './transform/event-mapper';
import type { PiiRedactor } from './transform/pii';
import { emptyRecordStats, planTransform, type TransformSettings, writeRecords } from './transform/records';

type Failure = { code: string; message: string };

/**
 * Runs one build: two passes over the session's conversation events, read a page at a time in
 * log order up to the example's high-water mark. The first (`scan`) learns which tools the
 * records call and where the whole-session record ends; the catalog then describes those tools;
 * the second (`write`) streams the JSONL into object storage, which hashes and counts it. Memory
 * holds a page of events, one assistant turn and one record window, whatever the session's size.
 * A failed attempt starts over (Bull retries); the last one, or a failure retrying cannot fix,
 * marks the example failed.
 */
@Injectable()
export class ExampleBuilder {
  private readonly logger = new Logger(ExampleBuilder.name);

  constructor(
    private readonly examples: ExamplesRepository,
    private readonly sessions: SessionsRepository,
    private readonly storage: ObjectStorage,
    private readonly catalog: CatalogReader,
    private readonly pii: ExamplePiiPatterns,
    private readonly events: ExamplesEvents,
  ) {}

  async run(job: QueueJob<BuildExampleJob>): Promise<void> {
    const { exampleId, workspaceId } = job.data;
    const example = await this.examples.getById(workspaceId, exampleId);
    if (!example || example.status === 'ready' || example.status === 'failed') return; // gone or settled
    const attempts = job.attemptsMade + 1;
    await this.examples.update(workspaceId, exampleId, {
      status: 'running',
      attempts,
      phase: null,
      eventsRead: 0,
      progress: 0,
      startedAt: example.startedAt ?? new Date(),
    });
    try {
      const { stats, stored } = await this.build(example, job);
      await this.examples.update(workspaceId, exampleId, {
        status: 'ready',
        phase: null,
        progress: 100,
        stats,
        error: null,
        storagePath: stored.key,
        sizeBytes: String(stored.size),
        sha256: stored.sha256,
        completedAt: new Date(),
      });
      await job.progress(100);
      this.settled(example, 'ready', { stats, sha256: stored.sha256, size: stored.size });
    } catch (err) {
      const failure = describe(err);
      const lastAttempt = attempts >= (job.opts.attempts ?? 1);
      if (err instanceof PermanentBuildError || lastAttempt) {
        await this.examples.update(workspaceId, exampleId, {
          status: 'failed',
          error: failure,
          completedAt: new Date(),
        });
        this.logger.warn(`Example ${exampleId} failed (${failure.code}) on attempt ${attempts}: ${logText(err)}`);
        await job.discard();
        this.settled(example, 'failed', { error: failure });
      } else {
        await this.examples.update(workspaceId, exampleId, { status: 'queued', error: failure });
        this.logger.warn(`Example ${exampleId}: attempt ${attempts} failed (${logText(err)}); it will be retried`);
      }
      throw err;
    }
  }

  private async build(example: ExampleEntity, job: QueueJob<BuildExampleJob>) {
    const session = await this.sessions.getById(example.workspaceId, example.sessionId);
    if (!session) throw new PermanentBuildError('session_not_found', `Session ${example.sessionId} no longer exists`);
    const options = example.options;
    const settings = (filter: PiiRedactor | null): TransformSettings => ({
      split: options.split,
      failedToolCalls: options.failed_tool_calls,
      maxMessagesPerRecord: options.max_messages_per_record,
      filter: filter ?? NO_FILTER,
    });
    // Each pass redacts on its own; the count reported is the written pass's.
    const redactor = () => (options.redact_pii ? this.pii.redactor(options.pii_patterns) : null);

    await this.progress(example, job, 'scan', 0, 0);
    const plan = await planTransform(this.read(example, 'scan', job), settings(redactor()));
    const { tools, undefinedTools } = await this.tools(example, plan.names, plan.usedTools);

    await this.progress(example, job, 'write', 0, 0);
    const stats = emptyRecordStats();
    const written = redactor();
    const lines = writeRecords(this.read(example, 'write', job), settings(written), plan, tools, stats);
    const key = exampleMessagesKey(example.workspaceId, example.projectId, example.id);
    const body = Readable.from(chunks(lines), { objectMode: false });
    // put() leaves a body it gave up on unread: end it, so that the reads stop with it.
    const stored = await this.storage
      .put(key, body, { contentType: EXAMPLE_CONTENT_TYPE })
      .finally(() => body.destroy());
    const result: ExampleStats = {
      records_written: stats.recordsWritten,
      records_skipped: stats.recordsSkipped.total,
      skip_reasons: stats.recordsSkipped.entries(),
      dropped: stats.dropped.entries(),
      redactions: written?.redactions ?? 0,
      tools: tools.map((t) => t.function.name).sort(),
      undefined_tools: undefinedTools,
    };
    return { stats: result, stored };
  }

  /**
   * The `tools` of every record: all the actions of the session's suite, and each other tool the
   * records call, described by the catalog when it knows it, else as a function of any object.
   * Suite actions are named after the called tools, so a called name keeps its mapping.
   */
  private async tools(example: ExampleEntity, names: ToolNames, used: string[]) {
    const workspaceId = example.workspaceId;
    const actions = example.suiteId ? ((await this.catalog.getSuiteActions(workspaceId, example.suiteId)) ?? []) : [];
    const actionNames = new Set(actions.map((a) => a.name));
    const others = await this.catalog.getToolsByNames(
      workspaceId,
      used.filter((name) => !actionNames.has(name)),
    );
    const known = new Map<string, { description: string | null; parameters: Record<string, unknown> }>();
    for (const [name, tool] of others)
      known.set(name, { description: tool.description, parameters: tool.parametersSchema });
    for (const a of actions) known.set(a.name, { description: a.description, parameters: a.parametersSchema });
    const tools = new Map<string, ChatTool>();
    const undefinedTools: string[] = [];
    for (const original of [...used, ...[...actionNames].sort()]) {
      const name = names.nameOf(original);
      if (tools.has(name)) continue;
      const definition = known.get(original);
      if (!definition) undefinedTools.push(original);
      tools.set(name, {
        type: 'function',
        function: {
          name,
          ...(definition?.description ? { description: definition.description } : {}),
          parameters: definition?.parameters ?? { type: 'object' },
        },
      });
    }
    return { tools: [...tools.values()], undefinedTools: undefinedTools.sort() };
  }

  /** The conversation events of the example's session, a page at a time, up to its high-water mark. */
  private async *read(
    example: ExampleEntity,
    phase: ExamplePhase,
    job: QueueJob<BuildExampleJob>,
  ): AsyncGenerator<SessionEventRecord> {
    const through = { seq: Number(example.throughSeq), subSeq: example.throughSubSeq };
    let after = { seq: 0, subSeq: 0 };
    let read = 0;
    let reported = Date.now();
    for (;;) {
      const rows = await this.sessions.listEvents(
        example.workspaceId,
        example.sessionId,
        after,
        EXAMPLE_EVENTS_PAGE,
        CONVERSATION_EVENT_TYPES,
      );
      for (const row of rows.slice(0, EXAMPLE_EVENTS_PAGE)) {
        const seq = Number(row.seq);
        if (seq > through.seq || (seq === through.seq && row.subSeq > through.subSeq)) return;
        read++;
        after = { seq, subSeq: row.subSeq };
        yield { seq, subSeq: row.subSeq, type: row.type, payload: row.payload };
      }
      if (rows.length <= EXAMPLE_EVENTS_PAGE) return;
      if (Date.now() - reported >= EXAMPLE_PROGRESS_INTERVAL_MS) {
        reported = Date.now();
        await this.progress(example, job, phase, read, through.seq === 0 ? 1 : after.seq / through.seq);
      }
    }
  }

  /** Scan is the first half of the progress, write the second. */
  private async progress(
    example: ExampleEntity,
    job: QueueJob<BuildExampleJob>,
    phase: ExamplePhase,
    eventsRead: number,
    fraction: number,
  ): Promise<void> {
    const percent = Math.floor(((phase === 'scan' ? 0 : 50) + 50 * Math.min(1, fraction)) * 10) / 10;
    await this.examples.update(example.workspaceId, example.id, { phase, eventsRead, progress: percent });
    await job.progress(percent);
  }

  private settled(
    example: ExampleEntity,
    status: 'ready' | 'failed',
    result: { stats?: ExampleStats; sha256?: string; size?: number; error?: Failure },
  ): void {
    this.events.emitSettled({
      exampleId: example.id,
      workspaceId: example.workspaceId,
      projectId: example.projectId,
      sessionId: example.sessionId,
      modelId: example.modelId,
      status,
      sha256: result.sha256 ?? null,
      sizeBytes: result.size ?? null,
      recordsWritten: result.stats?.records_written ?? null,
      error: result.error ?? null,
    });
  }
}

/** Text gathered into chunks of about EXAMPLE_WRITE_CHUNK_BYTES, as Buffers for the storage stream. */
async function* chunks(lines: AsyncIterable<string>): AsyncGenerator<Buffer> {
  let pending: string[] = [];
  let size = 0;
  for await (const text of lines) {
    pending.push(text);
    size += text.length;
    if (size >= EXAMPLE_WRITE_CHUNK_BYTES) {
      yield Buffer.from(pending.join(''), 'utf8');
      pending = [];
      size = 0;
    }
  }
  if (pending.length > 0) yield Buffer.from(pending.join(''), 'utf8');
}

/** What the example shows: a known failure as it is; anything else without internals (the log has them). */
function describe(err: unknown): Failure {
  if (err instanceof PermanentBuildError) return { code: err.code, message: err.message };
  if (err instanceof AppException) return { code: err.code, message: err.message };
  return { code: 'internal_error', message: 'The build failed unexpectedly; the server log has the cause' };
}

const logText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
