import { loadDotEnv } from './config/load-env';
loadDotEnv();

import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { FlightdeckExpressAdapter } from './common/http/express-adapter';
import { configureApp } from './app.setup';
import { env } from './config/configuration';
import { limitHeapGrowth } from './config/heap-growth';

async function bootstrap(): Promise<void> {
  const settings = env();
  limitHeapGrowth(settings.HEAP_GROWING_PERCENT);
  const app = await NestFactory.create<NestExpressApplication>(AppModule, new FlightdeckExpressAdapter(), {
    bufferLogs: true,
    bodyParser: false,
  });
  configureApp(app);
  await app.listen(settings.PORT, settings.HOST);
  process.stdout.write(`Flightdeck listening on http://${settings.HOST}:${settings.PORT} (docs at /docs)\n`);
}

void bootstrap();
