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
  /** Incidents: analysis of sessions that ended (and again after late events). */
  Incidents: 'incidents',
  /** Outbound webhooks: one job a delivery, retried with backoff. */
  Webhooks: 'webhooks',
  /** Training data: builds of examples (chat-format JSONL) from sessions. */
  Examples: 'examples',
  /** Incidents: regression runs (an incident's rate before and after a new agent version). */
  Regressions: 'regressions',
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
  /** Runs the detectors over one session and stores its analysis and incident links. */
  AnalyzeSession: 'incidents.analyze-session',
  /** Sends one webhook delivery (signed POST); each failed attempt is retried with backoff. */
  DeliverWebhook: 'webhooks.deliver-webhook',
  /** Builds one example: reads its session's events twice (plan, write) and stores the JSONL. */
  BuildExample: 'examples.build-example',
  /** Counts an incident's sessions before and after an agent version change (analysing those never analysed). */
  RunRegression: 'regressions.run-regression',
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
  // Debounced per session by its job id: a finished job is removed, so late events can queue the
  // session again (a failed one is removed by the scheduler before it queues the session anew).
  [JobName.AnalyzeSession]: { attempts: 3, timeout: 120_000, removeOnComplete: true, removeOnFail: 1_000 },
  // Receivers can be down for a while: 8 attempts over about two hours. WebhookDeliveryQueue passes
  // WEBHOOKS_MAX_ATTEMPTS and WEBHOOKS_RETRY_BASE_DELAY_MS over these; the delivery log in the
  // database is the record, so Redis keeps only a bounded history of failed jobs.
  [JobName.DeliverWebhook]: { attempts: 8, backoff: { type: 'exponential', delay: 30_000 }, removeOnFail: 1_000 },
  // A build starts over on each attempt; what fails twice more (storage down) is reported failed.
  [JobName.BuildExample]: { attempts: 3, backoff: { type: 'exponential', delay: 1_000 }, timeout: 60 * 60_000 },
  // A run starts over on each attempt (analyses it already stored are reused); the last failure marks it failed.
  [JobName.RunRegression]: { attempts: 3, backoff: { type: 'exponential', delay: 5_000 }, timeout: 30 * 60_000 },
};

/** Key prefix of every Bull queue in Redis. */
export const DEFAULT_QUEUE_PREFIX = 'flightdeck';

/** How long closing the queues waits for running jobs before giving up on them. */
export const DEFAULT_QUEUE_SHUTDOWN_TIMEOUT_MS = 10_000;
