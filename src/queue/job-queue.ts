import { Inject } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import type { Job, JobCounts, JobId, JobOptions } from 'bull';
import { JOB_OPTIONS } from './queue.constants';

/**
 * The part of a job that both drivers provide: a Bull job when Redis is configured, an
 * in-process job otherwise. Processors are written against Bull's `Job<T>` (the idiomatic
 * `@Process()` signature) but must only use these members.
 */
export type QueueJob<T = unknown> = Pick<
  Job<T>,
  | 'id'
  | 'name'
  | 'data'
  | 'opts'
  | 'attemptsMade'
  | 'timestamp'
  | 'processedOn'
  | 'finishedOn'
  | 'failedReason'
  | 'stacktrace'
  | 'returnvalue'
  | 'progress'
  | 'log'
  | 'getState'
  | 'isCompleted'
  | 'isFailed'
  | 'isActive'
  | 'isWaiting'
  | 'isDelayed'
  | 'update'
  | 'remove'
  | 'retry'
  | 'discard'
  | 'finished'
  | 'toJSON'
>;

/** A map from job name to payload type, e.g. `{ [JobName.AnalyzeSession]: AnalyzeSessionJob }`. */
export type JobPayloads = object;

/**
 * What a service needs to enqueue and follow jobs. Inject it with `@InjectJobQueue(QueueName.X)`;
 * the type parameter names the jobs of that queue and their payloads:
 *
 *   constructor(@InjectJobQueue(QueueName.Incidents) private readonly jobs: JobQueue<IncidentJobs>) {}
 *   await this.jobs.add(JobName.AnalyzeSession, { sessionId }, { jobId: `analyze:${sessionId}` });
 */
export interface JobQueue<P extends JobPayloads = Record<string, unknown>> {
  readonly name: string;
  /** Adds a job; `JOB_OPTIONS[name]` and then `opts` are merged over the queue's defaults. */
  add<N extends keyof P & string>(name: N, data: P[N], opts?: JobOptions): Promise<QueueJob<P[N]>>;
  /** The job, or null once it was removed (completed jobs are kept up to `removeOnComplete`). */
  getJob(id: JobId): Promise<QueueJob<P[keyof P]> | null>;
  getJobCounts(): Promise<JobCounts>;
}

/** The queue behind a `JobQueue`: a Bull `Queue` or an `InProcessQueue`. */
export interface QueueBackend {
  readonly name: string;
  add(name: string, data: unknown, opts?: JobOptions): Promise<QueueJob>;
  getJob(id: JobId): Promise<QueueJob | null>;
  getJobCounts(): Promise<JobCounts>;
  close(): Promise<void>;
}

/** DI token of the `JobQueue` of a queue (the backend itself is under `getQueueToken(name)`). */
export function getJobQueueToken(name: string): string {
  return `JobQueue_${name}`;
}

/** Injects the `JobQueue` of a queue registered with `QueueModule.registerQueues(name)`. */
export const InjectJobQueue = (name: string): ParameterDecorator & PropertyDecorator => Inject(getJobQueueToken(name));

/** Re-exported so that code which needs the raw backend does not import @nestjs/bull itself. */
export { getQueueToken };

/** Merges the per-job options of `table` (JOB_OPTIONS by default) under the caller's options. */
export function resolveJobOptions(
  name: string,
  opts: JobOptions | undefined,
  table: Readonly<Partial<Record<string, JobOptions>>> = JOB_OPTIONS,
): JobOptions {
  return { ...table[name], ...opts };
}

/** The `JobQueue` both drivers share: applies the per-job options, then delegates. */
export class JobQueueClient<P extends JobPayloads = Record<string, unknown>> implements JobQueue<P> {
  constructor(
    private readonly backend: QueueBackend,
    private readonly jobOptions: Readonly<Partial<Record<string, JobOptions>>> = JOB_OPTIONS,
  ) {}

  get name(): string {
    return this.backend.name;
  }

  async add<N extends keyof P & string>(name: N, data: P[N], opts?: JobOptions): Promise<QueueJob<P[N]>> {
    return (await this.backend.add(name, data, resolveJobOptions(name, opts, this.jobOptions))) as QueueJob<P[N]>;
  }

  async getJob(id: JobId): Promise<QueueJob<P[keyof P]> | null> {
    return (await this.backend.getJob(id)) as QueueJob<P[keyof P]> | null;
  }

  getJobCounts(): Promise<JobCounts> {
    return this.backend.getJobCounts();
  }
}
