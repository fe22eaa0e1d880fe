import { loadDotEnv } from './config/load-env';
loadDotEnv();

import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { env } from './config/configuration';
import { limitHeapGrowth } from './config/heap-growth';
import { markWorkerProcess } from './queue/queue-role';

/**
 * `npm run start:worker`: the queue processors without HTTP. Scale these apart from the API
 * (RUN_PROCESSORS=false there); several workers share the jobs through Redis.
 */
async function startWorker(): Promise<void> {
  // Before the modules are loaded: they decide at definition time whether to list processors.
  markWorkerProcess();
  limitHeapGrowth(env().HEAP_GROWING_PERCENT);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AppModule } = require('./app.module') as typeof import('./app.module');
  const app = await NestFactory.createApplicationContext(AppModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  process.stdout.write('Flightdeck worker started: processing queued jobs\n');
}

void startWorker();
