import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { FlightdeckExpressAdapter } from 'src/common/http/express-adapter';
import { overrideEnvironment } from 'src/config/configuration';
import { DataSource } from 'typeorm';

export interface TestApp {
  app: NestExpressApplication;
  http: ReturnType<INestApplication['getHttpServer']>;
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * Sets the environment of this test file. Call it at the top of the file (before the app module
 * is loaded): modules read their configuration when they are defined.
 */
export function useTestEnvironment(values: Record<string, string> = {}): void {
  overrideEnvironment(
    {
      NODE_ENV: 'test',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'flightdeck-e2e-')),
      LOG_LEVEL: 'silent',
      RATE_LIMIT_MAX: '100000',
      JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
      ...values,
    },
    { force: true },
  );
}

/** The real application (same modules and HTTP setup as `npm start`), not listening. */
export async function createTestApp(): Promise<TestApp> {
  // Loaded here, not at the top: the file's useTestEnvironment() must run first.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { AppModule } = require('src/app.module') as typeof import('src/app.module');
  const { configureApp } = require('src/app.setup') as typeof import('src/app.setup');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(new FlightdeckExpressAdapter(), {
    bodyParser: false,
    bufferLogs: true,
  });
  configureApp(app);
  await app.init();
  return {
    app,
    http: app.getHttpServer(),
    dataSource: app.get(DataSource),
    close: () => app.close(),
  };
}
