import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import type { AllConfig, AppConfigService } from 'src/config/configuration';
import { LocalObjectStorage } from 'src/storage/local.driver';
import { ObjectStorage } from 'src/storage/object-storage';
import { S3ObjectStorage } from 'src/storage/s3.driver';
import { createObjectStorage, StorageModule } from 'src/storage/storage.module';

/** A config service that answers `getOrThrow(namespace)` from plain objects. */
function configOf(values: Partial<AllConfig>): AppConfigService {
  return {
    getOrThrow: (name: keyof AllConfig) => values[name],
  } as unknown as AppConfigService;
}

describe('StorageModule', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flightdeck-storage-module-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('picks the S3 driver when storage.s3 is configured', () => {
    const storage = createObjectStorage(
      configOf({
        storage: {
          s3: { bucket: 'b', region: 'us-east-1', forcePathStyle: false },
          signedUrlTtlSeconds: 300,
          signingSecret: undefined,
        },
      } as Partial<AllConfig>),
    );

    expect(storage).toBeInstanceOf(S3ObjectStorage);
    (storage as S3ObjectStorage).onModuleDestroy();
  });

  it('provides the local driver globally and mounts its download route when no bucket is configured', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [
            registerAs('app', () => ({
              dataDir,
              publicUrl: 'http://localhost:3000',
            })),
            registerAs('storage', () => ({
              s3: undefined,
              signedUrlTtlSeconds: 300,
            })),
          ],
        }),
        StorageModule,
      ],
    }).compile();
    const app = moduleRef.createNestApplication<INestApplication<App>>({
      logger: false,
    });
    await app.init();
    try {
      const storage = app.get(ObjectStorage);
      expect(storage).toBeInstanceOf(LocalObjectStorage);
      await storage.put('wired/hello.txt', Buffer.from('hello'), {
        contentType: 'text/plain',
      });
      const url = new URL(await storage.signedUrl('wired/hello.txt'));

      const res = await request(app.getHttpServer()).get(`${url.pathname}${url.search}`).expect(200);
      expect(res.text).toBe('hello');
    } finally {
      await app.close();
    }
  });
});
