import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { getSharedConfigToken } from '@nestjs/bull';
import type { BullRootModuleOptions } from '@nestjs/bull';
import Bull from 'bull';
import type { QueueBackend } from './job-queue';
import { InProcessQueue } from './in-process-queue';
import { DEFAULT_JOB_OPTIONS } from './queue.constants';
import { isWorkerProcess } from './queue-role';
import { describeRedisUrl } from './redis-options';

/** Resolved settings of `QueueModule.forRoot()`. */
export interface ResolvedQueueOptions {
  /** Redis URL, or undefined for in-process queues. */
  redisUrl?: string;
  prefix: string;
  shutdownTimeoutMs: number;
}

export const QUEUE_MODULE_OPTIONS = Symbol('QUEUE_MODULE_OPTIONS');

export type QueueDriver = 'bull' | 'in-process';

/**
 * Creates each queue once and closes them all when the application shuts down. The driver is
 * chosen by `QueueModule.forRoot()`; `registerQueues()` asks the registry for its queues, so
 * feature modules never depend on the mode.
 */
export abstract class QueueRegistry implements OnModuleDestroy {
  abstract readonly driver: QueueDriver;
  protected readonly logger = new Logger('QueueModule');
  protected readonly queues = new Map<string, QueueBackend>();
  private closing?: Promise<void>;

  protected constructor(protected readonly options: ResolvedQueueOptions) {}

  /** The queue of that name, created on first use. */
  get(name: string): QueueBackend {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = this.create(name);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** The queue of that name if a module registered it. */
  find(name: string): QueueBackend | undefined {
    return this.queues.get(name);
  }

  onModuleDestroy(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  protected abstract create(name: string): QueueBackend;

  /** Closes every queue; running jobs get `shutdownTimeoutMs` to finish. */
  private async closeAll(): Promise<void> {
    const timeoutMs = this.options.shutdownTimeoutMs;
    await Promise.all(
      [...this.queues.values()].map(async (queue) => {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
          timer.unref();
        });
        const closed = queue.close().then(
          () => false,
          (err: unknown) => {
            this.logger.error(
              `Closing queue ${queue.name} failed: ${err instanceof Error ? err.message : String(err)}`,
            );
            return false;
          },
        );
        if (await Promise.race([closed, timedOut])) {
          this.logger.warn(`Queue ${queue.name} did not close within ${timeoutMs} ms; leaving its running jobs`);
        }
        clearTimeout(timer);
      }),
    );
  }
}

/** Queues in this process's memory (no REDIS_URL). */
@Injectable()
export class InProcessQueueRegistry extends QueueRegistry {
  readonly driver = 'in-process' as const;
  private sealed = false;

  constructor(@Inject(QUEUE_MODULE_OPTIONS) options: ResolvedQueueOptions) {
    super(options);
    this.logger.log('Queues run in-process (no REDIS_URL): jobs live in memory and are lost on exit');
    if (isWorkerProcess()) {
      this.logger.warn('A worker without REDIS_URL runs only the jobs it enqueues itself: set REDIS_URL to share jobs');
    }
  }

  override get(name: string): InProcessQueue {
    return super.get(name) as InProcessQueue;
  }

  override find(name: string): InProcessQueue | undefined {
    return super.find(name) as InProcessQueue | undefined;
  }

  /** Every processor is registered: jobs no handler takes now fail, as they would in Bull. */
  seal(): void {
    this.sealed = true;
    for (const queue of this.queues.values()) (queue as InProcessQueue).seal();
  }

  /** Resolves when every queue is idle (retries included); rejects after `timeoutMs`. */
  async whenIdle(timeoutMs?: number): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => (queue as InProcessQueue).whenIdle(timeoutMs)));
  }

  protected create(name: string): InProcessQueue {
    const queue = new InProcessQueue(name, {
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
      shutdownTimeoutMs: this.options.shutdownTimeoutMs,
    });
    if (this.sealed) queue.seal();
    return queue;
  }
}

/** Bull queues on Redis, configured by `BullModule.forRoot()` (redis, prefix, default job options). */
@Injectable()
export class BullQueueRegistry extends QueueRegistry {
  readonly driver = 'bull' as const;

  constructor(
    @Inject(QUEUE_MODULE_OPTIONS) options: ResolvedQueueOptions,
    @Inject(getSharedConfigToken())
    private readonly bullConfig: BullRootModuleOptions,
  ) {
    super(options);
    const where = options.redisUrl ? describeRedisUrl(options.redisUrl) : 'Redis';
    this.logger.log(`Queues on ${where} with prefix "${options.prefix}"`);
  }

  override get(name: string): Bull.Queue {
    return super.get(name) as Bull.Queue;
  }

  protected create(name: string): Bull.Queue {
    const { url, ...options } = this.bullConfig;
    const queue = url ? new Bull(name, url, options) : new Bull(name, options);
    // Redis errors arrive as `error` events; unheard, they would crash the process.
    queue.on('error', (err: Error) => this.logger.error(`Queue ${name}: ${err.message}`));
    return queue;
  }
}
