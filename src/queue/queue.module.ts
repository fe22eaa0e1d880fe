import { DynamicModule, Module, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BullModule, getQueueToken } from '@nestjs/bull';
import { env } from 'src/config/configuration';
import { InProcessExplorer } from './in-process.explorer';
import { getJobQueueToken, JobQueueClient, QueueBackend } from './job-queue';
import { DEFAULT_JOB_OPTIONS, DEFAULT_QUEUE_PREFIX, DEFAULT_QUEUE_SHUTDOWN_TIMEOUT_MS } from './queue.constants';
import {
  BullQueueRegistry,
  InProcessQueueRegistry,
  QUEUE_MODULE_OPTIONS,
  QueueRegistry,
  ResolvedQueueOptions,
} from './queue-registry';
import { redisOptionsFromUrl } from './redis-options';

export interface QueueModuleOptions {
  /** Redis URL; undefined runs the queues in-process. Defaults to the validated REDIS_URL. */
  redisUrl?: string;
  /** Key prefix in Redis (default `flightdeck`). */
  prefix?: string;
  /** How long shutdown waits for running jobs (default 10 s). */
  shutdownTimeoutMs?: number;
}

/**
 * Queues on Bull and Redis, or in this process when there is no Redis.
 *
 * The application imports `QueueModule.forRoot()` once; a module that enqueues or processes
 * jobs imports `QueueModule.registerQueues(QueueName.X)`, injects `@InjectJobQueue(QueueName.X)`
 * and lists its processors with `processorProviders(XProcessor)`. Processors are plain
 * @nestjs/bull `@Processor()` classes in both modes.
 */
@Module({})
export class QueueModule {
  /**
   * The queue driver, chosen once: Bull on `redisUrl` (REDIS_URL by default) or in-process. Global.
   * Queues are closed when the application shuts down.
   */
  static forRoot(options: QueueModuleOptions = { redisUrl: env().REDIS_URL }): DynamicModule {
    const resolved: ResolvedQueueOptions = {
      redisUrl: options.redisUrl,
      prefix: options.prefix ?? DEFAULT_QUEUE_PREFIX,
      shutdownTimeoutMs: options.shutdownTimeoutMs ?? DEFAULT_QUEUE_SHUTDOWN_TIMEOUT_MS,
    };
    const optionsProvider: Provider = {
      provide: QUEUE_MODULE_OPTIONS,
      useValue: resolved,
    };

    if (resolved.redisUrl) {
      return {
        module: QueueModule,
        global: true,
        imports: [
          BullModule.forRoot({
            redis: redisOptionsFromUrl(resolved.redisUrl),
            prefix: resolved.prefix,
            defaultJobOptions: DEFAULT_JOB_OPTIONS,
          }),
          // Registers no queue: it brings in Bull's explorer, which attaches the @Processor()
          // providers of the application to the queues of `registerQueues()`.
          BullModule.registerQueue(),
        ],
        providers: [optionsProvider, { provide: QueueRegistry, useClass: BullQueueRegistry }],
        exports: [QueueRegistry],
      };
    }
    return {
      module: QueueModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        optionsProvider,
        InProcessQueueRegistry,
        { provide: QueueRegistry, useExisting: InProcessQueueRegistry },
        InProcessExplorer,
      ],
      exports: [QueueRegistry, InProcessQueueRegistry],
    };
  }

  /**
   * Makes the named queues injectable in the importing module: `@InjectJobQueue(name)` for
   * services, and the raw queue under `getQueueToken(name)` (what `@InjectQueue(name)` and the
   * processors' registration use). Works the same with either driver.
   */
  static registerQueues(...names: string[]): DynamicModule {
    const providers: Provider[] = names.flatMap((name) => [
      {
        provide: getQueueToken(name),
        useFactory: (registry: QueueRegistry): QueueBackend => registry.get(name),
        inject: [QueueRegistry],
      },
      {
        provide: getJobQueueToken(name),
        useFactory: (queue: QueueBackend) => new JobQueueClient(queue),
        inject: [getQueueToken(name)],
      },
    ]);
    return {
      module: QueueModule,
      providers,
      exports: names.flatMap((name) => [getQueueToken(name), getJobQueueToken(name)]),
    };
  }
}
