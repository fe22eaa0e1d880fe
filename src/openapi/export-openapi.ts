// `npm run openapi`: boots the application without listening and writes openapi.json. Without a
// DATABASE_URL it runs on a throw-away embedded database, so generating the spec touches no data.
import { scratchDataDir } from './scratch-environment';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from 'src/app.module';
import { buildOpenApiDocument } from './swagger';

async function exportOpenApi(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: ['error'] });
  const document = buildOpenApiDocument(app);
  const target = join(__dirname, '..', '..', 'openapi.json');
  writeFileSync(target, JSON.stringify(document, null, 2) + '\n');
  await app.close();
  rmSync(scratchDataDir, { recursive: true, force: true });
  process.stdout.write(`wrote ${target}\n`);
}

void exportOpenApi();
