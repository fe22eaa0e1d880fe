import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { BackoffOptions, JobCounts, JobId, JobOptions, JobStatus, KeepJobsOptions } from 'bull';
import { DEFAULT_QUEUE_SHUTDOWN_TIMEOUT_MS } from './queue.constants';
import { InProcessJob, jsonCopy } from './in-process-job';
import type { QueueBackend } from './job-queue';

export { InProcessJob };

/** Bull's name for the jobs of `add(data)` and the handler of `process(fn)`. */
export const DEFAULT_JOB_NAME = '__default__';
/** A handler registered under this name takes the jobs no other handler names (as in Bull). */
export const WILDCARD_JOB_NAME = '*';

type DoneCallback = (err?: Error | null, result?: unknown) => void;
/** A processor: returns (or resolves) the result, or, when it declares a second parameter, calls `done`. */
type ProcessHandler<T> = (job: InProcessJob<T>, done: DoneCallback) => unknown;

interface Handler {
  readonly run: (job: InProcessJob) => Promise<unknown>;
  readonly concurrency: number;
  active: number;
}

export interface InProcessQueueOptions {
  /** Merged under every job's options, as Bull's `defaultJobOptions`. */
  defaultJobOptions?: JobOptions;
  /** How long `close()` waits for running jobs. */
  shutdownTimeoutMs?: number;
}

/**
 * A queue in this process's memory with the semantics of Bull that the application relies on:
 * attempts and backoff (fixed or exponential, as a number or an object), delays, `jobId`
 * deduplication, per-handler concurrency, timeouts, progress and logs, bounded retention of
 * completed jobs, retention of failed ones, and Bull's events (`waiting`, `active`, `progress`,
 * `completed`, `failed`, `removed`, `drained`, and their `global:` forms).
 *
 * Jobs added before a handler exists wait for it; once `seal()` says every handler is
 * registered, a job nobody handles fails as it would in Bull. Jobs live in memory only: those
 * still waiting or delayed when the queue closes are dropped (and logged).
 *
 * Unlike Bull, where the concurrencies of a queue's handlers add up to one pool that serves any
 * job, each handler here runs at most its own `concurrency` jobs at once.
 */
export class InProcessQueue extends EventEmitter implements QueueBackend {
  private readonly logger = new Logger(InProcessQueue.name);
  private readonly defaultJobOptions: JobOptions;
  private readonly shutdownTimeoutMs: number;
  private readonly jobs = new Map<string, InProcessJob>();
  private readonly waiting: InProcessJob[] = [];
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private readonly active = new Set<InProcessJob>();
  private readonly completed: InProcessJob[] = [];
  private readonly failed: InProcessJob[] = [];
  private readonly handlers = new Map<string, Handler>();
  private readonly idleWaiters = new Set<() => void>();
  private nextId = 1;
  private sealed = false;
  private closing?: Promise<void>;

  constructor(
    readonly name: string,
    options: InProcessQueueOptions = {},
  ) {
    super();
    this.defaultJobOptions = options.defaultJobOptions ?? {};
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_QUEUE_SHUTDOWN_TIMEOUT_MS;
  }

  /** Bull's signatures: `process([name,] [concurrency,] handler)`. */
  process<T = unknown>(handler: ProcessHandler<T>): Promise<void>;
  process<T = unknown>(concurrency: number, handler: ProcessHandler<T>): Promise<void>;
  process<T = unknown>(name: string, handler: ProcessHandler<T>): Promise<void>;
  process<T = unknown>(name: string, concurrency: number, handler: ProcessHandler<T>): Promise<void>;
  process(...args: unknown[]): Promise<void> {
    const handler = args.pop();
    const name = typeof args[0] === 'string' ? (args.shift() as string) : DEFAULT_JOB_NAME;
    const concurrency = typeof args[0] === 'number' ? args[0] : 1;
    if (typeof handler !== 'function') throw new Error('Cannot set an undefined handler');
    if (this.handlers.has(name)) throw new Error(`Cannot define the same handler twice ${name}`);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`Invalid concurrency ${concurrency}`);
    this.handlers.set(name, {
      run: toPromiseHandler(handler as ProcessHandler<unknown>),
      concurrency,
      active: 0,
    });
    this.pump();
    return Promise.resolve();
  }

  /** Every handler is registered: from now on a job nobody handles fails instead of waiting. */
  seal(): void {
    this.sealed = true;
    this.pump();
  }

  /** Bull's signatures: `add([name,] data [, opts])`. */
  add(data: unknown, opts?: JobOptions): Promise<InProcessJob>;
  add(name: string, data: unknown, opts?: JobOptions): Promise<InProcessJob>;
  add(nameOrData: unknown, dataOrOpts?: unknown, maybeOpts?: JobOptions): Promise<InProcessJob> {
    try {
      const named = typeof nameOrData === 'string';
      const name = named ? nameOrData : DEFAULT_JOB_NAME;
      const data = named ? dataOrOpts : nameOrData;
      const opts = withDefaults(named ? maybeOpts : (dataOrOpts as JobOptions | undefined), this.defaultJobOptions);
      return Promise.resolve(this.addJob(name, data, opts));
    } catch (err) {
      return Promise.reject(toError(err));
    }
  }

  getJob(id: JobId): Promise<InProcessJob | null> {
    return Promise.resolve(this.jobs.get(String(id)) ?? null);
  }

  /** The jobs in the given states, oldest first (Bull orders some lists differently). */
  getJobs(types: JobStatus[]): Promise<InProcessJob[]> {
    const wanted = new Set<string>(types);
    return Promise.resolve([...this.jobs.values()].filter((job) => wanted.has(job.state)));
  }

  getJobCounts(): Promise<JobCounts & { paused: number }> {
    return Promise.resolve({
      waiting: this.waiting.length,
      active: this.active.size,
      completed: this.completed.length,
      failed: this.failed.length,
      delayed: this.delayed.size,
      paused: 0,
    });
  }

  getJobLogs(id: JobId, start = 0, end = -1): Promise<{ logs: string[]; count: number }> {
    const logs = this.jobs.get(String(id))?.logs ?? [];
    return Promise.resolve({
      logs: logs.slice(start, end === -1 ? undefined : end + 1),
      count: logs.length,
    });
  }

  isReady(): Promise<this> {
    return Promise.resolve(this);
  }

  /**
   * Resolves once nothing is running, waiting for a handler or delayed (retries included);
   * rejects after `timeoutMs` if that does not happen. For tests and shutdown.
   */
  whenIdle(timeoutMs?: number): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.idleWaiters.add(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.idleWaiters.delete(waiter);
          reject(new Error(`Queue ${this.name} still busy after ${timeoutMs} ms: ${this.describe()}`));
        }, timeoutMs);
        timer.unref();
      }
    });
  }

  /**
   * Stops taking jobs, waits up to `timeoutMs` for the running ones, and drops the rest. No timer
   * of the queue outlives this call. Calling it again returns the same promise.
   */
  close(timeoutMs = this.shutdownTimeoutMs): Promise<void> {
    this.closing ??= this.shutdown(timeoutMs);
    return this.closing;
  }

  /** @internal */
  emitEvent(event: string, ...args: unknown[]): void {
    if (event === 'error' && this.listenerCount('error') === 0) {
      this.logger.error(`Queue ${this.name}: ${String(args[0])}`);
      return;
    }
    try {
      this.emit(event, ...args);
    } catch (err) {
      this.logger.error(`Queue ${this.name}: a "${event}" listener threw: ${toError(err).message}`);
    }
  }

  /** @internal */
  removeJob(job: InProcessJob): Promise<void> {
    if (job.state === 'active') return Promise.reject(new Error(`Could not remove job ${job.id}`));
    this.forget(job);
    this.emitEvent('removed', job);
    this.notifyIfIdle();
    return Promise.resolve();
  }

  /** @internal */
  retryJob(job: InProcessJob): Promise<void> {
    if (job.state !== 'failed' || !this.jobs.has(job.id)) {
      return Promise.reject(new Error(`Couldn't retry job: The job ${job.id} is not in the failed state`));
    }
    removeFrom(this.failed, job);
    job.finishedOn = undefined;
    job.processedOn = undefined;
    job.failedReason = undefined;
    this.enqueue(job);
    this.pump();
    return Promise.resolve();
  }

  private addJob(name: string, data: unknown, opts: JobOptions): InProcessJob {
    if (this.closing) throw new Error(`Queue ${this.name} is closed`);
    if (opts.repeat) throw new Error('Repeatable jobs need Redis: set REDIS_URL');
    if (opts.backoff !== undefined) backoffDelay(opts.backoff, 1); // unknown strategies fail here, not at retry
    const existing = opts.jobId === undefined ? undefined : this.jobs.get(String(opts.jobId));
    if (existing) {
      this.emitEvent('duplicated', existing.id);
      return existing;
    }
    const id = opts.jobId === undefined ? String(this.nextId++) : String(opts.jobId);
    const job = new InProcessJob(this, id, name, data === undefined ? {} : jsonCopy(data), opts, Date.now());
    this.jobs.set(id, job);
    if (opts.delay && opts.delay > 0) this.delay(job, opts.delay);
    else this.enqueue(job);
    this.pump();
    return job;
  }

  private enqueue(job: InProcessJob): void {
    job.state = 'waiting';
    const { lifo, priority } = job.opts;
    if (lifo) this.waiting.unshift(job);
    else if (priority) {
      const at = this.waiting.findIndex((other) => (other.opts.priority ?? Infinity) > priority);
      this.waiting.splice(at === -1 ? this.waiting.length : at, 0, job);
    } else this.waiting.push(job);
    this.emitEvent('waiting', job.id);
    this.emitEvent('global:waiting', job.id);
  }

  private delay(job: InProcessJob, ms: number): void {
    job.state = 'delayed';
    const timer = setTimeout(() => {
      this.delayed.delete(job.id);
      this.enqueue(job);
      this.pump();
    }, ms);
    this.delayed.set(job.id, timer);
  }

  /** Starts every waiting job a handler has room for, in queue order. */
  private pump(): void {
    if (this.closing) return this.notifyIfIdle();
    for (let i = 0; i < this.waiting.length;) {
      const job = this.waiting[i];
      const handler = this.handlers.get(job.name) ?? this.handlers.get(WILDCARD_JOB_NAME);
      if (!handler && !this.sealed) i++;
      else if (handler && handler.active >= handler.concurrency) i++;
      else {
        this.waiting.splice(i, 1);
        void this.execute(job, handler);
      }
    }
    this.notifyIfIdle();
  }

  private async execute(job: InProcessJob, handler: Handler | undefined): Promise<void> {
    job.state = 'active';
    job.processedOn = Date.now();
    this.active.add(job);
    if (handler) handler.active++;
    const attempt = (async () => {
      await Promise.resolve(); // the processor starts after add() has returned, as with Bull
      if (!handler) throw new Error(`Missing process handler for job type ${job.name}`);
      return withTimeout(handler.run(job), job.opts.timeout);
    })();
    this.emitEvent('active', job, attempt);
    this.emitEvent('global:active', job.id);

    let outcome: { ok: true; value: unknown; stored: unknown } | { ok: false; error: Error };
    try {
      const value = await attempt;
      // Bull stores the result as JSON: a result that cannot be stored fails the attempt here.
      outcome = { ok: true, value, stored: value === undefined ? null : jsonCopy(value) };
    } catch (err) {
      outcome = { ok: false, error: toError(err) };
    }
    this.active.delete(job);
    if (handler) handler.active--;
    try {
      if (outcome.ok) this.complete(job, outcome.value, outcome.stored);
      else this.fail(job, outcome.error);
    } catch (err) {
      this.emitEvent('error', toError(err));
    }
    if (this.waiting.length === 0 && this.active.size === 0) this.emitEvent('drained');
    this.pump();
  }

  private complete(job: InProcessJob, result: unknown, stored: unknown): void {
    job.state = 'completed';
    job.finishedOn = Date.now();
    job.returnvalue = stored;
    this.completed.push(job);
    this.retain(this.completed, job, job.opts.removeOnComplete);
    job.settle();
    this.emitEvent('completed', job, result);
    this.emitEvent('global:completed', job.id, JSON.stringify(job.returnvalue));
  }

  /** Bull's `moveToFailed`: count the attempt, then retry (now or after the backoff) or give up. */
  private fail(job: InProcessJob, error: Error): void {
    job.attemptsMade++;
    job.failedReason = error.message;
    if (error.stack) {
      job.stacktrace.push(error.stack);
      if (job.opts.stackTraceLimit) job.stacktrace = job.stacktrace.slice(-job.opts.stackTraceLimit);
    }
    const attempts = job.opts.attempts ?? 1;
    const retryIn =
      job.attemptsMade < attempts && !job.discarded ? (backoffDelay(job.opts.backoff, job.attemptsMade) ?? 0) : -1;
    if (retryIn > 0) this.delay(job, retryIn);
    else if (retryIn === 0) this.enqueue(job);
    else {
      job.state = 'failed';
      job.finishedOn = Date.now();
      this.failed.push(job);
      this.retain(this.failed, job, job.opts.removeOnFail);
      job.settle();
      this.emitEvent('global:failed', job.id, error.message);
    }
    this.emitEvent('failed', job, error);
  }

  /**
   * Applies the `removeOnComplete` / `removeOnFail` of the job that just finished, as Bull does:
   * `true` drops that job, a number or `{ count, age }` trims the whole list to the newest.
   */
  private retain(list: InProcessJob[], job: InProcessJob, keep: boolean | number | KeepJobsOptions | undefined): void {
    if (keep === undefined || keep === false) return;
    if (keep === true) return this.forget(job);
    const { count, age } = typeof keep === 'number' ? { count: keep, age: undefined } : keep;
    if (age !== undefined) {
      const oldest = Date.now() - age * 1000;
      while (list.length > 0 && (list[0].finishedOn ?? 0) < oldest) this.forget(list[0]);
    }
    if (count !== undefined) while (list.length > Math.max(count, 0)) this.forget(list[0]);
  }

  /** Drops a job from every list and the index. */
  private forget(job: InProcessJob): void {
    this.jobs.delete(job.id);
    removeFrom(this.waiting, job);
    removeFrom(this.completed, job);
    removeFrom(this.failed, job);
    const timer = this.delayed.get(job.id);
    if (timer) {
      clearTimeout(timer);
      this.delayed.delete(job.id);
    }
  }

  private isIdle(): boolean {
    if (this.active.size > 0) return false;
    if (this.closing) return true;
    return this.delayed.size === 0 && !this.waiting.some((job) => this.sealed || this.hasHandler(job.name));
  }

  private hasHandler(name: string): boolean {
    return this.handlers.has(name) || this.handlers.has(WILDCARD_JOB_NAME);
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.size === 0 || !this.isIdle()) return;
    const waiters = [...this.idleWaiters];
    this.idleWaiters.clear();
    for (const waiter of waiters) waiter();
  }

  private describe(): string {
    return `${this.active.size} active, ${this.waiting.length} waiting, ${this.delayed.size} delayed`;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    for (const timer of this.delayed.values()) clearTimeout(timer);
    const dropped = this.waiting.length + this.delayed.size;
    if (dropped > 0) {
      this.logger.warn(
        `Queue ${this.name}: ${dropped} job(s) not run yet are dropped (in-process queues live in memory)`,
      );
    }
    if (this.active.size > 0) {
      const finished = this.whenIdle(timeoutMs).then(
        () => true,
        () => false,
      );
      if (!(await finished)) {
        this.logger.warn(
          `Queue ${this.name}: ${this.active.size} job(s) still running after ${timeoutMs} ms; not waiting`,
        );
      }
    }
    this.emitEvent('close');
  }
}

/** Bull's backoff: a number is a fixed delay; `exponential` waits `delay * (2^attemptsMade - 1)`. */
export function backoffDelay(backoff: number | BackoffOptions | undefined, attemptsMade: number): number | undefined {
  if (backoff === undefined) return undefined;
  const { type, delay = 0 } = typeof backoff === 'number' ? { type: 'fixed', delay: backoff } : backoff;
  switch (type) {
    case 'fixed':
      return delay;
    case 'exponential':
      return Math.round((Math.pow(2, attemptsMade) - 1) * delay);
    default:
      throw new Error(`Unknown backoff strategy ${type}: in-process queues know "fixed" and "exponential"`);
  }
}

/** Bull merges `defaultJobOptions` under a job's options key by key (lodash `defaults`). */
function withDefaults(opts: JobOptions | undefined, defaults: JobOptions): JobOptions {
  const merged: Record<string, unknown> = { ...opts };
  for (const [key, value] of Object.entries(defaults)) if (merged[key] === undefined) merged[key] = value;
  return merged;
}

function toPromiseHandler(handler: ProcessHandler<unknown>): (job: InProcessJob) => Promise<unknown> {
  if (handler.length > 1) {
    return (job) =>
      new Promise((resolve, reject) => {
        handler(job, (err, result) => (err ? reject(err) : resolve(result)));
      });
  }
  return (job) => new Promise((resolve) => resolve(handler(job, () => undefined)));
}

function withTimeout<T>(promise: Promise<T>, ms: number | undefined): Promise<T> {
  if (!ms) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Promise timed out after ${ms} milliseconds`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function removeFrom(list: InProcessJob[], job: InProcessJob): void {
  const index = list.indexOf(job);
  if (index !== -1) list.splice(index, 1);
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
