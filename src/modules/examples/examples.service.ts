import { pipeline, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { HttpStatus, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { decodeCursor, toPage } from 'src/common/pagination/cursor';
import type { AllConfig } from 'src/config/configuration';
import { assertProjectWritable, type Principal } from 'src/modules/auth/principal';
import { SuiteReferenceRegistry } from 'src/modules/catalog/catalog-references';
import { ModelsService } from 'src/modules/modelops/models/models.service';
import { SessionsService } from 'src/modules/sessions/sessions.service';
import { InjectJobQueue, type JobQueue } from 'src/queue/job-queue';
import { JobName, QueueName } from 'src/queue/queue.constants';
import { isWorkerProcess } from 'src/queue/queue-role';
import { ObjectStorage } from 'src/storage/object-storage';
import { CreateExampleDto, ExamplePageDto, ExampleResponseDto, ListExamplesQueryDto } from './dto/example.dto';
import type { ExampleEntity, ExampleOptions } from './entities/example.entity';
import { ExamplePiiPatterns } from './example-pii';
import { EXAMPLE_CONTENT_TYPE, type ExamplesJobs, MAX_NAMED_REFERENCES } from './examples.constants';
import { ExamplesErrorCode, ExamplesException } from './examples.exception';
import { ExamplesRepository } from './examples.repository';
import { acceptsGzip } from './http/accept-encoding';

/** An example's JSONL, ready to stream: the body and the headers that describe it. */
export interface ExampleDownload {
  stream: Readable;
  headers: Record<string, string>;
}

/**
 * Examples: requests (checked, recorded, queued), reads, and the JSONL download. The build
 * itself is ExampleBuilder's, in a job.
 */
@Injectable()
export class ExamplesService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(ExamplesService.name);

  constructor(
    private readonly examples: ExamplesRepository,
    private readonly sessions: SessionsService,
    private readonly models: ModelsService,
    private readonly storage: ObjectStorage,
    private readonly pii: ExamplePiiPatterns,
    private readonly suiteReferences: SuiteReferenceRegistry,
    private readonly config: ConfigService<AllConfig, true>,
    @InjectJobQueue(QueueName.Examples) private readonly jobs: JobQueue<ExamplesJobs>,
  ) {}

  /** A suite whose sessions were built into examples names them when someone tries to delete it. */
  onModuleInit(): void {
    this.suiteReferences.register(async (workspaceId, suiteId) =>
      (await this.examples.listBySuite(workspaceId, suiteId, MAX_NAMED_REFERENCES)).map(
        (e) => `example ${e.id} (${e.status})`,
      ),
    );
  }

  /**
   * 202: the example as queued. The session must be the caller's (404), writable by the key
   * (403 for a key pinned elsewhere); the model one the caller may use (404) and a language model
   * (422). The session's events up to its current high-water mark make the example.
   */
  async create(principal: Principal, dto: CreateExampleDto): Promise<ExampleResponseDto> {
    const session = await this.sessions.getEntity(principal, dto.session_id);
    assertProjectWritable(principal, session.projectId);
    const model = await this.models.get(principal, dto.model_id);
    if (model.task !== 'llm') {
      throw new ExamplesException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        ExamplesErrorCode.ModelNotUsable,
        `Model ${model.id} is an ${model.task} model; chat training data needs an llm model`,
        { errors: [{ field: 'model_id', message: 'must be an llm model' }] },
      );
    }
    const created = await this.examples.create({
      workspaceId: principal.workspaceId,
      projectId: session.projectId,
      sessionId: session.id,
      suiteId: session.suiteId,
      modelId: model.id,
      modelConfiguration: { ...dto.model_configuration },
      options: this.resolveOptions(dto),
      throughSeq: session.lastSeq,
      throughSubSeq: session.lastSubSeq,
      status: 'queued',
      createdByUserId: principal.userId,
    });
    // Read back before the job can change it: the answer shows the example as queued, defaults filled in.
    const row = await this.getEntity(principal, created.id);
    await this.enqueue(row);
    return toExampleResponse(row);
  }

  async list(principal: Principal, query: ListExamplesQueryDto): Promise<ExamplePageDto> {
    const before = query.cursor ? decodeCursor<{ t: string; id: string }>(query.cursor, ['t', 'id']) : undefined;
    const rows = await this.examples.list(
      principal.workspaceId,
      {
        sessionId: query.session_id,
        modelId: query.model_id,
        suiteId: query.suite_id,
        before: before && { createdAt: new Date(before.t), id: before.id },
      },
      query.limit,
    );
    const page = toPage(rows, query.limit, (row) => ({ t: row.createdAt.toISOString(), id: row.id }));
    return { data: page.data.map(toExampleResponse), next_cursor: page.next_cursor };
  }

  async get(principal: Principal, id: string): Promise<ExampleResponseDto> {
    return toExampleResponse(await this.getEntity(principal, id));
  }

  /**
   * The JSONL as stored, streamed (never read whole); gzip-compressed on the way when the client
   * accepts it. 409 until the example is ready.
   */
  async download(principal: Principal, id: string, acceptEncoding: string | undefined): Promise<ExampleDownload> {
    const example = await this.getEntity(principal, id);
    if (example.status !== 'ready' || !example.storagePath) {
      throw new ExamplesException(
        HttpStatus.CONFLICT,
        ExamplesErrorCode.ExampleNotReady,
        `Example ${example.id} is ${example.status}; its messages can be read once it is ready`,
        { status_of_example: example.status },
      );
    }
    const object = await this.storage.get(example.storagePath);
    const headers: Record<string, string> = { 'Content-Type': EXAMPLE_CONTENT_TYPE, Vary: 'Accept-Encoding' };
    if (!acceptsGzip(acceptEncoding)) {
      return { stream: object.stream, headers: { ...headers, 'Content-Length': String(object.size) } };
    }
    const gzip = createGzip();
    pipeline(object.stream, gzip, () => undefined); // an error destroys both; the response ends with them
    return { stream: gzip, headers: { ...headers, 'Content-Encoding': 'gzip' } };
  }

  /**
   * Without Redis, queued jobs live in memory: examples left queued or running by a stopped
   * process are queued again here (a build starts over). With Redis their jobs survive and the
   * same job id makes this a no-op. Only processes that take jobs do this.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.getOrThrow('queue', { infer: true }).runProcessors && !isWorkerProcess()) return;
    for (const example of await this.examples.listUnfinished()) {
      this.logger.log(`Resuming the build of example ${example.id}`);
      await this.enqueue(example);
    }
  }

  private async getEntity(principal: Principal, id: string): Promise<ExampleEntity> {
    const example = await this.examples.getById(principal.workspaceId, id);
    if (!example) throw new NotFoundAppException('Example', id);
    return example;
  }

  private resolveOptions(dto: CreateExampleDto): ExampleOptions {
    const o = dto.options ?? {};
    const redact = o.redact_pii ?? false;
    return {
      split: o.split ?? 'whole_session',
      failed_tool_calls: o.failed_tool_calls ?? 'drop',
      redact_pii: redact,
      pii_patterns: redact ? this.pii.names : [],
      max_messages_per_record:
        o.max_messages_per_record ?? this.config.getOrThrow('examples', { infer: true }).maxMessagesPerRecord,
    };
  }

  private async enqueue(example: Pick<ExampleEntity, 'id' | 'workspaceId'>): Promise<void> {
    await this.jobs.add(
      JobName.BuildExample,
      { exampleId: example.id, workspaceId: example.workspaceId },
      { jobId: `example:${example.id}` },
    );
  }
}

export function toExampleResponse(row: ExampleEntity): ExampleResponseDto {
  const stats = row.stats;
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    project_id: row.projectId,
    session_id: row.sessionId,
    suite_id: row.suiteId,
    model_id: row.modelId,
    model_configuration: row.modelConfiguration,
    options: row.options,
    through_seq: Number(row.throughSeq),
    status: row.status,
    progress: { phase: row.phase, events_read: row.eventsRead, percent: row.progress },
    attempts: row.attempts,
    records_written: stats?.records_written ?? 0,
    records_skipped: stats?.records_skipped ?? 0,
    skip_reasons: stats?.skip_reasons ?? [],
    dropped: stats?.dropped ?? [],
    redactions: stats?.redactions ?? 0,
    tools: stats?.tools ?? [],
    undefined_tools: stats?.undefined_tools ?? [],
    error: row.error,
    sha256: row.sha256,
    size_bytes: row.sizeBytes === null ? null : Number(row.sizeBytes),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    completed_at: row.completedAt?.toISOString() ?? null,
  };
}
