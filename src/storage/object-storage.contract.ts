import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppException } from 'src/common/errors/app.exception';
import { ObjectStorage } from 'src/storage/object-storage';
import { digestStream, failingStream, randomStream, readAll } from 'src/storage/testing/streams';

/** What a client sees when it follows a signed URL. */
export interface SignedFetchResult {
  status: number;
  body?: Buffer;
  contentType?: string | null;
  contentDisposition?: string | null;
}

/** How the contract reaches one driver and its backend. */
export interface ObjectStorageHarness {
  /** The driver under test (read once the spec's `beforeAll` ran). */
  storage(): ObjectStorage;
  /** Follows a signed URL the way a client would. */
  fetchSigned(url: string): Promise<SignedFetchResult>;
  /** Everything the backend holds under `prefix` (objects, temp files, sidecars), by name. */
  listStored(prefix: string): Promise<string[]>;
  /** Query parameter that carries the signature in this driver's URLs. */
  signatureParam: string;
}

const MiB = 1024 * 1024;

/** Expects `promise` to reject with the AppException `code` and HTTP `status`. */
export async function expectAppError(promise: Promise<unknown>, status: number, code: string): Promise<AppException> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppException);
  const appErr = err as AppException;
  expect({ status: appErr.getStatus(), code: appErr.code }).toEqual({
    status,
    code,
  });
  return appErr;
}

export const BAD_KEYS = [
  '',
  '/absolute/key',
  '../escape',
  'a/../b',
  'a/..',
  'double..dot',
  'a//b',
  'trailing/',
  './a',
  'a/./b',
  '.',
  'back\\slash',
  'space here',
  'percent%2F',
  'colon:',
  'tilde~meta.json',
  'ümlaut',
  'newline\n',
  `${'x'.repeat(201)}`,
  `${'abc/'.repeat(256)}z`,
];

/** The behaviour every ObjectStorage driver shares. Call it inside the driver's `describe`. */
export function describeObjectStorageContract(harness: ObjectStorageHarness): void {
  const storage = () => harness.storage();
  let counter = 0;
  /** A fresh key per test, so tests never see each other's objects. */
  const freshKey = (name = 'object.bin') => `contract/t${++counter}-${Date.now()}/${name}`;
  const prefixOf = (key: string) => key.slice(0, key.lastIndexOf('/') + 1);

  describe('ObjectStorage contract', () => {
    it('streams a multi-megabyte body in and out with the right size and sha256', async () => {
      const key = freshKey('replay.jsonl');
      const size = 12 * MiB + 123;
      const body = randomStream(size);

      const stored = await storage().put(key, body.stream, {
        contentType: 'application/x-ndjson',
      });

      const sha256 = body.sha256();
      expect(stored).toEqual({
        key,
        size,
        sha256,
        contentType: 'application/x-ndjson',
      });
      const read = await storage().get(key);
      expect({ size: read.size, contentType: read.contentType }).toEqual({
        size,
        contentType: 'application/x-ndjson',
      });
      await expect(digestStream(read.stream)).resolves.toEqual({
        size,
        sha256,
      });
    }, 60_000);

    it('stores a Buffer body and reads it back', async () => {
      const key = freshKey('note.txt');
      const stored = await storage().put(key, Buffer.from('hello, storage'), {
        contentType: 'text/plain; charset=utf-8',
      });

      expect(stored.size).toBe(14);
      const read = await storage().get(key);
      expect(read.contentType).toBe('text/plain; charset=utf-8');
      expect((await readAll(read.stream)).toString()).toBe('hello, storage');
    });

    it('stores an empty body', async () => {
      const key = freshKey('empty');
      const stored = await storage().put(key, Readable.from([]), {
        contentType: 'application/octet-stream',
      });

      expect(stored.size).toBe(0);
      expect(stored.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      const read = await storage().get(key);
      expect(read.size).toBe(0);
      expect(await readAll(read.stream)).toEqual(Buffer.alloc(0));
    });

    it('replaces an existing object', async () => {
      const key = freshKey();
      await storage().put(key, Buffer.from('first'), {
        contentType: 'text/plain',
      });
      await storage().put(key, Buffer.from('second version'), {
        contentType: 'application/json',
      });

      const read = await storage().get(key);
      expect(read.contentType).toBe('application/json');
      expect((await readAll(read.stream)).toString()).toBe('second version');
    });

    it('accepts a body of exactly maxBytes', async () => {
      const key = freshKey();
      const stored = await storage().put(key, randomStream(1000).stream, {
        contentType: 'image/png',
        maxBytes: 1000,
      });

      expect(stored.size).toBe(1000);
    });

    it('refuses a streamed body over maxBytes with 413 and leaves nothing behind', async () => {
      const key = freshKey('too-big.bin');
      const body = randomStream(12 * MiB);

      await expectAppError(
        storage().put(key, body.stream, {
          contentType: 'application/octet-stream',
          maxBytes: 7 * MiB,
        }),
        413,
        'payload_too_large',
      );

      await expect(storage().exists(key)).resolves.toBe(false);
      await expectAppError(storage().get(key), 404, 'object_not_found');
      await expect(harness.listStored(prefixOf(key))).resolves.toEqual([]);
    }, 60_000);

    it('refuses a Buffer over maxBytes and keeps the object it would have replaced', async () => {
      const key = freshKey();
      await storage().put(key, Buffer.from('kept'), {
        contentType: 'text/plain',
      });

      await expectAppError(
        storage().put(key, Buffer.alloc(11), {
          contentType: 'text/plain',
          maxBytes: 10,
        }),
        413,
        'payload_too_large',
      );

      const read = await storage().get(key);
      expect((await readAll(read.stream)).toString()).toBe('kept');
      expect(read.contentType).toBe('text/plain');
    });

    it('leaves nothing behind when the body stream fails midway', async () => {
      const key = freshKey();
      const failure = new Error('client went away');

      await expect(
        storage().put(key, failingStream(2 * MiB, failure), {
          contentType: 'application/octet-stream',
        }),
      ).rejects.toBe(failure);

      await expect(storage().exists(key)).resolves.toBe(false);
      await expect(harness.listStored(prefixOf(key))).resolves.toEqual([]);
    }, 30_000);

    it.each(BAD_KEYS.map((key) => [JSON.stringify(key).slice(0, 40), key]))(
      'refuses the malformed key %s on every method',
      async (_label, key) => {
        const s = storage();
        await expectAppError(s.put(key, Buffer.from('x'), { contentType: 'text/plain' }), 400, 'invalid_object_key');
        await expectAppError(s.get(key), 400, 'invalid_object_key');
        await expectAppError(s.exists(key), 400, 'invalid_object_key');
        await expectAppError(s.delete(key), 400, 'invalid_object_key');
        await expectAppError(s.signedUrl(key), 400, 'invalid_object_key');
      },
    );

    it('accepts keys made of letters, digits and . _ = -', async () => {
      const key = `${freshKey('dir')}/Ws_1=a-b/file.v2.tar.gz`;
      await storage().put(key, Buffer.from('ok'), {
        contentType: 'application/gzip',
      });

      await expect(storage().exists(key)).resolves.toBe(true);
    });

    it('answers 404 object_not_found for an absent object', async () => {
      const key = freshKey();

      await expect(storage().exists(key)).resolves.toBe(false);
      await expectAppError(storage().get(key), 404, 'object_not_found');
    });

    it('deletes idempotently', async () => {
      const key = freshKey();
      await storage().put(key, Buffer.from('bye'), {
        contentType: 'text/plain',
      });

      await storage().delete(key);
      await storage().delete(key);
      await storage().delete(freshKey('never-existed'));

      await expect(storage().exists(key)).resolves.toBe(false);
      await expectAppError(storage().get(key), 404, 'object_not_found');
      await expect(harness.listStored(prefixOf(key))).resolves.toEqual([]);
    });

    it('deletes every object under a prefix, and nothing that merely starts with the same letters', async () => {
      const base = freshKey('project');
      const under = [`${base}/a.bin`, `${base}/sessions/s1/input.jsonl`, `${base}/sessions/s2/deep/er.png`];
      const besides = [`${base}-2/kept.bin`, `${base}x`];
      for (const key of [...under, ...besides]) {
        await storage().put(key, Buffer.from(key), { contentType: 'text/plain' });
      }

      await storage().deleteUnder(base);
      await storage().deleteUnder(base);
      await storage().deleteUnder(freshKey('never-existed'));

      for (const key of under) await expect(storage().exists(key)).resolves.toBe(false);
      for (const key of besides) await expect(storage().exists(key)).resolves.toBe(true);
      await expect(harness.listStored(`${base}/`)).resolves.toEqual([]);
      await expectAppError(storage().deleteUnder('../escape'), 400, 'invalid_object_key');
    });

    describe('signed URLs', () => {
      it('downloads the object without credentials', async () => {
        const key = freshKey('screenshot.png');
        await storage().put(key, Buffer.from('png bytes'), {
          contentType: 'image/png',
        });

        const result = await harness.fetchSigned(await storage().signedUrl(key));

        expect(result.status).toBe(200);
        expect(result.body?.toString()).toBe('png bytes');
        expect(result.contentType).toBe('image/png');
        expect(result.contentDisposition ?? undefined).toBeUndefined();
      });

      it('offers the signed file name as an attachment', async () => {
        const key = freshKey();
        await storage().put(key, Buffer.from('a,b\n1,2\n'), {
          contentType: 'text/csv',
        });

        const url = await storage().signedUrl(key, {
          filename: 'résumé "final".csv',
          expiresInSeconds: 60,
        });
        const result = await harness.fetchSigned(url);

        expect(result.status).toBe(200);
        expect(result.contentDisposition).toBe(
          `attachment; filename="r_sum_ _final_.csv"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.csv`,
        );
      });

      it('refuses a URL whose signature was altered', async () => {
        const key = freshKey();
        await storage().put(key, Buffer.from('secret'), {
          contentType: 'text/plain',
        });
        const url = new URL(await storage().signedUrl(key));
        const signature = url.searchParams.get(harness.signatureParam) ?? '';
        const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
        url.searchParams.set(harness.signatureParam, flipped);

        expect((await harness.fetchSigned(url.toString())).status).toBe(403);
      });

      it('refuses a URL pointed at another object', async () => {
        const key = freshKey('aaaa.txt');
        const other = key.replace('aaaa.txt', 'bbbb.txt');
        await storage().put(key, Buffer.from('mine'), {
          contentType: 'text/plain',
        });
        await storage().put(other, Buffer.from('theirs'), {
          contentType: 'text/plain',
        });
        const url = (await storage().signedUrl(key)).replace('aaaa.txt', 'bbbb.txt');

        expect((await harness.fetchSigned(url)).status).toBe(403);
      });

      it('refuses a URL once it expired', async () => {
        const key = freshKey();
        await storage().put(key, Buffer.from('soon gone'), {
          contentType: 'text/plain',
        });
        const url = await storage().signedUrl(key, { expiresInSeconds: 1 });

        await sleep(2100);

        expect((await harness.fetchSigned(url)).status).toBe(403);
      }, 10_000);

      it('refuses a lifetime outside 1 second to 7 days', async () => {
        const key = freshKey();

        await expect(storage().signedUrl(key, { expiresInSeconds: 0 })).rejects.toThrow(RangeError);
        await expect(storage().signedUrl(key, { expiresInSeconds: 8 * 24 * 3600 })).rejects.toThrow(RangeError);
      });
    });
  });
}
