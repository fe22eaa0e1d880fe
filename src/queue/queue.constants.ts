import type { JobOptions } from 'bull';

/**
 * Every queue of the application. A module adds its queue here and registers it with
 * `QueueModule.registerQueues(QueueName.X)`; the value is the Bull queue name (Redis keys are
 * `<prefix>:<name>:*`), so never rename one that has shipped.
 */
export const QueueName = {
  /** Housekeeping jobs: retention, cleanup, recomputation. */
  Maintenance: 'maintenance',
  /** ModelOps: model downloads from the hub. */
  ModelOps: 'modelops',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/**
 * Every job of the application, named `<queue>.<verb-thing>` so that a name read in Redis or in
 * a log line says where it runs. Each job has a typed payload next to its processor and, when
 * the defaults do not fit, an entry in `JOB_OPTIONS` below.
 */
export const JobName = {
  /** Downloads (or resumes) the files of one ModelOps download, pinned to a hub commit. */
  DownloadModel: 'modelops.download-model',
} as const satisfies Record<string, string>;
export type JobName = (typeof JobName)[keyof typeof JobName];

/**
 * Options of every job unless `JOB_OPTIONS` or the caller say otherwise: five attempts with
 * exponential backoff (1 s, 3 s, 7 s, 15 s: Bull waits `delay * (2^attemptsMade - 1)`), a
 * bounded history of completed jobs, and every failed job kept for inspection.
 */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: 1_000,
  removeOnFail: false,
} as const satisfies JobOptions;

/**
 * Per-job options, merged over `DEFAULT_JOB_OPTIONS` when a job is added through a `JobQueue`
 * (the caller's own options win), e.g. `[JobName.AnalyzeSession]: { attempts: 3, timeout: 60_000 }`.
 */
export const JOB_OPTIONS: Readonly<Partial<Record<JobName, JobOptions>>> = {
  // Each attempt resumes from the bytes already stored; a dropped connection costs one retry.
  [JobName.DownloadModel]: { attempts: 8, backoff: { type: 'exponential', delay: 1_000 } },
};

/** Key prefix of every Bull queue in Redis. */
export const DEFAULT_QUEUE_PREFIX = 'flightdeck';

/** How long closing the queues waits for running jobs before giving up on them. */
export const DEFAULT_QUEUE_SHUTDOWN_TIMEOUT_MS = 10_000;
