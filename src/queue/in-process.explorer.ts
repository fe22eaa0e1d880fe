import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ContextIdFactory, DiscoveryService, MetadataScanner, ModuleRef, Reflector } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import type { ProcessOptions, ProcessorOptions } from '@nestjs/bull';
import type { InProcessJob, InProcessQueue } from './in-process-queue';
import { InProcessQueueRegistry } from './queue-registry';

/**
 * Metadata keys of @nestjs/bull's decorators (its `bull.constants`, which the package does not
 * export). `queue-constants.spec.ts` checks them against the decorators.
 */
export const BULL_MODULE_QUEUE = 'bull:module_queue';
export const BULL_MODULE_QUEUE_PROCESS = 'bull:module_queue_process';
export const BULL_MODULE_ON_QUEUE_EVENT = 'bull:module_on_queue_event';

interface QueueEventOptions {
  eventName: string;
  name?: string;
  id?: string;
}

type Method = (...args: unknown[]) => unknown;

/**
 * Without Redis, does what @nestjs/bull's explorer does with it: finds the `@Processor()`
 * providers and registers their `@Process()` methods and `@OnQueue*()` listeners on the
 * in-process queue of the same name. It runs at bootstrap, after every module's `onModuleInit`;
 * jobs added before that wait, and afterwards a job no processor handles fails (as in Bull).
 */
@Injectable()
export class InProcessExplorer implements OnApplicationBootstrap {
  private readonly logger = new Logger('QueueModule');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
    private readonly registry: InProcessQueueRegistry,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      // As @nestjs/bull: factory and value providers are recognised by their instance's class.
      const instance = wrapper.instance as object | undefined;
      const target = (!wrapper.metatype || wrapper.inject ? instance?.constructor : wrapper.metatype) as
        (abstract new (...args: never[]) => object) | undefined;
      const processor = target
        ? this.reflector.get<ProcessorOptions | undefined>(BULL_MODULE_QUEUE, target)
        : undefined;
      if (!target || !processor) continue;
      this.register(wrapper, target, processor.name ?? 'default');
    }
    this.registry.seal();
  }

  private register(wrapper: InstanceWrapper, target: abstract new (...args: never[]) => object, queueName: string) {
    const queue = this.registry.find(queueName);
    if (!queue) {
      throw new Error(
        `No queue "${queueName}" for processor ${target.name}: add QueueModule.registerQueues('${queueName}') to its module`,
      );
    }
    const prototype = target.prototype as Record<string, Method>;
    const isStatic = wrapper.isDependencyTreeStatic();
    for (const key of this.scanner.getAllMethodNames(prototype)) {
      const method = prototype[key];
      const process = this.reflector.get<ProcessOptions | undefined>(BULL_MODULE_QUEUE_PROCESS, method);
      const listener = this.reflector.get<QueueEventOptions | undefined>(BULL_MODULE_ON_QUEUE_EVENT, method);
      if (process) this.registerProcess(queue, wrapper, key, isStatic, process);
      else if (listener && !isStatic) {
        this.logger.warn(`${wrapper.name}#${key} is a queue listener on a request-scoped provider; it is ignored`);
      } else if (listener) this.registerListener(queue, wrapper.instance as Record<string, Method>, key, listener);
    }
    this.logger.log(`Processor ${wrapper.name} registered on in-process queue ${queueName}`);
  }

  private registerProcess(
    queue: InProcessQueue,
    wrapper: InstanceWrapper,
    key: string,
    isStatic: boolean,
    options: ProcessOptions,
  ): void {
    let handler: (job: InProcessJob) => unknown;
    if (isStatic) {
      const instance = wrapper.instance as Record<string, Method>;
      handler = (job) => instance[key].call(instance, job);
    } else {
      // Request-scoped processors get an instance per job, with the job as the "request".
      handler = async (job) => {
        const contextId = ContextIdFactory.create();
        this.moduleRef.registerRequestByContextId(job, contextId);
        const instance = await this.moduleRef.resolve<Record<string, Method>>(wrapper.token, contextId, {
          strict: false,
        });
        return instance[key].call(instance, job);
      };
    }
    void queue.process(options.name ?? '__default__', options.concurrency ?? 1, handler);
  }

  private registerListener(
    queue: InProcessQueue,
    instance: Record<string, Method>,
    key: string,
    { eventName, name, id }: QueueEventOptions,
  ): void {
    const call = (args: unknown[]) => {
      Promise.resolve(instance[key](...args)).catch((err: unknown) =>
        this.logger.error(`Queue listener ${key} failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    };
    queue.on(eventName, (jobOrId: unknown, ...rest: unknown[]) => {
      if (!name && !id) return call([jobOrId, ...rest]);
      const found = typeof jobOrId === 'string' ? queue.getJob(jobOrId) : Promise.resolve(jobOrId as InProcessJob);
      void found.then((job) => {
        if (job && (job.name === name || job.id === id)) call([job, ...rest]);
      });
    });
  }
}
