import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import { IS_PUBLIC_KEY } from 'src/modules/auth/decorators/public.decorator';
import { LocalStorageController } from 'src/storage/local-storage.controller';
import { LocalObjectStorage } from 'src/storage/local.driver';
import { ObjectStorage } from 'src/storage/object-storage';

/** Path and query of a signed URL, to replay against the test app. */
const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

describe('LocalStorageController', () => {
  let dataDir: string;
  let storage: LocalObjectStorage;
  let app: INestApplication<App>;
  const key = 'artifacts/ws_1/run=7/trace.json';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flightdeck-local-route-'));
    storage = new LocalObjectStorage({
      dataDir,
      publicUrl: 'http://localhost:3000',
      signedUrlTtlSeconds: 300,
    });
    const moduleRef = await Test.createTestingModule({
      controllers: [LocalStorageController],
      providers: [{ provide: ObjectStorage, useValue: storage }],
    }).compile();
    app = moduleRef.createNestApplication<INestApplication<App>>({
      logger: false,
    });
    await app.init();
    await storage.put(key, Buffer.from('{"steps":3}'), {
      contentType: 'application/json',
    });
  });

  afterAll(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('needs no credentials: the signature is the credential', () => {
    const handler = Object.getOwnPropertyDescriptor(LocalStorageController.prototype, 'downloadLocalObject')
      ?.value as object;
    expect(Reflect.getMetadata(IS_PUBLIC_KEY, handler)).toBe(true);
  });

  it('streams the object with its type, length and a private cache lifetime', async () => {
    const res = await request(app.getHttpServer())
      .get(pathOf(await storage.signedUrl(key, { expiresInSeconds: 120 })))
      .expect(200);

    expect(res.text).toBe('{"steps":3}');
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['content-length']).toBe('11');
    expect(res.headers['cache-control']).toMatch(/^private, max-age=(11[89]|120)$/);
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('offers the signed file name as an attachment', async () => {
    const res = await request(app.getHttpServer())
      .get(pathOf(await storage.signedUrl(key, { filename: 'trace (run 7).json' })))
      .expect(200);

    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="trace (run 7).json"; filename*=UTF-8''trace%20%28run%207%29.json`,
    );
  });

  it('answers 403 for an altered signature or a missing one', async () => {
    const url = new URL(await storage.signedUrl(key));
    const signature = url.searchParams.get('signature') ?? '';
    url.searchParams.set('signature', `${signature.slice(0, -1)}${signature.endsWith('a') ? 'b' : 'a'}`);
    await request(app.getHttpServer()).get(pathOf(url.toString())).expect(403);

    url.searchParams.delete('signature');
    await request(app.getHttpServer()).get(pathOf(url.toString())).expect(403);
  });

  it('answers 403 once the URL expired', async () => {
    const url = await storage.signedUrl(key, { expiresInSeconds: 60 });
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);

    await request(app.getHttpServer()).get(pathOf(url)).expect(403);
  });

  it('answers 404 for a genuine URL whose object is gone', async () => {
    await storage.put('artifacts/ws_1/gone.txt', Buffer.from('x'), {
      contentType: 'text/plain',
    });
    const url = await storage.signedUrl('artifacts/ws_1/gone.txt');
    await storage.delete('artifacts/ws_1/gone.txt');

    await request(app.getHttpServer()).get(pathOf(url)).expect(404);
  });

  it('answers 400 for a malformed key', async () => {
    await request(app.getHttpServer()).get('/storage/local/a%20b/c?expires=1&signature=00').expect(400);
    await request(app.getHttpServer()).get('/storage/local/a/../b?expires=1&signature=00').expect(400);
  });
});
