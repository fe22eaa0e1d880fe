import type { Provider } from '@nestjs/common';
import { env } from 'src/config/configuration';

/** What decides whether this process consumes jobs. */
export interface ConsumerSettings {
  /** Redis URL; without it jobs live in this process, which must then run them. */
  redisUrl?: string;
  /** RUN_PROCESSORS: false makes the API process enqueue only. */
  runProcessors: boolean;
  /** True in `npm run start:worker`. */
  worker: boolean;
}

let workerProcess = false;
let leftProcessorsOut = false;

/**
 * Marks this process as a queue worker, which always runs the processors. `src/worker.ts` calls
 * it before the application module is loaded: `processorProviders()` runs when the modules are
 * defined, so load AppModule after this call (`await import('src/app.module')` or `require`).
 */
export function markWorkerProcess(): void {
  if (leftProcessorsOut) {
    throw new Error(
      'markWorkerProcess() came after the modules were defined without their processors: call it before AppModule is imported',
    );
  }
  workerProcess = true;
}

export function isWorkerProcess(): boolean {
  return workerProcess;
}

/**
 * Whether this process runs processors: a worker always does; without Redis the jobs exist only
 * here, so this process must; otherwise RUN_PROCESSORS decides.
 */
export function consumesJobs(settings: ConsumerSettings): boolean {
  return settings.worker || !settings.redisUrl || settings.runProcessors;
}

/** The processors to list in a module's `providers`, or none when `settings` make the process passive. */
export function selectProcessorProviders<T extends Provider>(processors: T[], settings: ConsumerSettings): T[] {
  return consumesJobs(settings) ? processors : [];
}

/**
 * The processors to list in a module's `providers`: all of them when this process consumes jobs,
 * none in an API process with RUN_PROCESSORS=false. Bull registers every `@Processor()` provider
 * it finds, so leaving them out is what keeps that process from taking jobs.
 *
 *   providers: [IncidentsService, ...processorProviders(IncidentsProcessor)],
 */
export function processorProviders<T extends Provider>(...processors: T[]): T[] {
  const { REDIS_URL, RUN_PROCESSORS } = env();
  const selected = selectProcessorProviders(processors, {
    redisUrl: REDIS_URL,
    runProcessors: RUN_PROCESSORS,
    worker: workerProcess,
  });
  if (selected.length < processors.length) leftProcessorsOut = true;
  return selected;
}
