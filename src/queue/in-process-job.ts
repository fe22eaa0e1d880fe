import type { JobOptions, JobStatus } from 'bull';
import type { QueueJob } from './job-queue';
import type { InProcessQueue } from './in-process-queue';

export type InProcessJobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

/**
 * A job of an `InProcessQueue`, with the members of a Bull job that processors and services use.
 * Data, progress and return values go through JSON as they do in Redis, so code that works here
 * works against Bull.
 */
export class InProcessJob<T = unknown> implements QueueJob<T> {
  attemptsMade = 0;
  processedOn?: number;
  finishedOn?: number;
  failedReason?: string;
  stacktrace: string[] = [];
  returnvalue: unknown = null;
  /** @internal */ state: InProcessJobState = 'waiting';
  /** @internal */ discarded = false;
  /** @internal */ readonly logs: string[] = [];
  private progressValue: unknown = 0;
  private settled?: {
    resolve: (value: unknown) => void;
    reject: (err: Error) => void;
    promise: Promise<unknown>;
  };

  constructor(
    private readonly queue: InProcessQueue,
    readonly id: string,
    readonly name: string,
    public data: T,
    readonly opts: JobOptions,
    readonly timestamp: number,
  ) {}

  /** `progress()` reads the progress; `progress(value)` sets it and emits `progress`. */
  progress(): unknown;
  progress(value: unknown): Promise<void>;
  progress(...args: unknown[]): unknown {
    if (args.length === 0) return this.progressValue;
    this.progressValue = jsonCopy(args[0]);
    this.queue.emitEvent('progress', this, this.progressValue);
    this.queue.emitEvent('global:progress', this.id, this.progressValue);
    return Promise.resolve();
  }

  log(row: string): Promise<number> {
    this.logs.push(row);
    return Promise.resolve(this.logs.length);
  }

  getState(): Promise<JobStatus> {
    return Promise.resolve(this.state);
  }

  isCompleted(): Promise<boolean> {
    return Promise.resolve(this.state === 'completed');
  }

  isFailed(): Promise<boolean> {
    return Promise.resolve(this.state === 'failed');
  }

  isActive(): Promise<boolean> {
    return Promise.resolve(this.state === 'active');
  }

  isWaiting(): Promise<boolean> {
    return Promise.resolve(this.state === 'waiting');
  }

  isDelayed(): Promise<boolean> {
    return Promise.resolve(this.state === 'delayed');
  }

  update(data: T): Promise<void> {
    this.data = jsonCopy(data) as T;
    return Promise.resolve();
  }

  remove(): Promise<void> {
    return this.queue.removeJob(this);
  }

  retry(): Promise<void> {
    return this.queue.retryJob(this);
  }

  /** No more retries after the attempt in progress, as Bull's `job.discard()`. */
  discard(): Promise<void> {
    this.discarded = true;
    return Promise.resolve();
  }

  /** Resolves with the return value once completed; rejects with the failure once failed for good. */
  finished(): Promise<unknown> {
    if (this.state === 'completed') return Promise.resolve(this.returnvalue);
    if (this.state === 'failed') return Promise.reject(new Error(this.failedReason));
    if (!this.settled) {
      let resolve!: (value: unknown) => void;
      let reject!: (err: Error) => void;
      const promise = new Promise<unknown>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.settled = { resolve, reject, promise };
    }
    return this.settled.promise;
  }

  toJSON() {
    return {
      id: this.id,
      name: this.name,
      data: this.data,
      opts: this.opts,
      progress: this.progressValue as number,
      delay: this.opts.delay ?? 0,
      timestamp: this.timestamp,
      attemptsMade: this.attemptsMade,
      failedReason: this.failedReason,
      stacktrace: this.stacktrace,
      returnvalue: this.returnvalue,
      finishedOn: this.finishedOn ?? null,
      processedOn: this.processedOn ?? null,
    };
  }

  /** @internal Called by the queue when the job reaches a final state. */
  settle(): void {
    if (!this.settled) return;
    if (this.state === 'completed') this.settled.resolve(this.returnvalue);
    else this.settled.reject(new Error(this.failedReason));
    this.settled = undefined;
  }
}

/** What a value looks like after a round trip through Redis. */
export function jsonCopy(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}
