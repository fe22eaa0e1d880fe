import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { AppException } from 'src/common/errors/app.exception';
import { LocalObjectStorage, LocalObjectStorageOptions } from 'src/storage/local.driver';
import { describeObjectStorageContract, expectAppError, SignedFetchResult } from 'src/storage/object-storage.contract';
import { readAll, sha256Hex } from 'src/storage/testing/streams';

const PUBLIC_URL = 'https://flightdeck.example.com';

/** Every file under `dir`, as paths relative to it; none when it does not exist. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {
    recursive: true,
    withFileTypes: true,
  }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Follows a local signed URL through the same driver call the download route makes. */
async function fetchLocal(storage: LocalObjectStorage, url: string): Promise<SignedFetchResult> {
  const parsed = new URL(url);
  const prefix = '/storage/local/';
  if (parsed.origin !== PUBLIC_URL || !parsed.pathname.startsWith(prefix)) return { status: 404 };
  const key = parsed.pathname.slice(prefix.length).split('/').map(decodeURIComponent).join('/');
  try {
    const file = await storage.openSigned(key, Object.fromEntries(parsed.searchParams));
    return {
      status: 200,
      body: await readAll(file.stream),
      contentType: file.contentType,
      contentDisposition: file.contentDisposition,
    };
  } catch (err) {
    if (err instanceof AppException) return { status: err.getStatus() };
    throw err;
  }
}

describe('LocalObjectStorage', () => {
  let dataDir: string;
  let storage: LocalObjectStorage;
  const options = (over: Partial<LocalObjectStorageOptions> = {}): LocalObjectStorageOptions => ({
    dataDir,
    publicUrl: `${PUBLIC_URL}/`,
    signedUrlTtlSeconds: 300,
    ...over,
  });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flightdeck-local-storage-'));
    storage = new LocalObjectStorage(options());
    await storage.onModuleInit();
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  describeObjectStorageContract({
    storage: () => storage,
    fetchSigned: (url) => fetchLocal(storage, url),
    listStored: (prefix) => listFiles(join(dataDir, 'objects', prefix)),
    signatureParam: 'signature',
  });

  describe('files on disk', () => {
    it('keeps the object under objects/<key> with a sidecar holding its content type, and no temp file', async () => {
      const stored = await storage.put('disk/a/report.json', Buffer.from('{"ok":true}'), {
        contentType: 'application/json',
      });

      await expect(listFiles(join(dataDir, 'objects', 'disk'))).resolves.toEqual([
        'a/report.json',
        'a/report.json~meta.json',
      ]);
      await expect(readFile(join(dataDir, 'objects', 'disk/a/report.json'), 'utf8')).resolves.toBe('{"ok":true}');
      const meta: unknown = JSON.parse(
        await readFile(join(dataDir, 'objects', 'disk/a/report.json~meta.json'), 'utf8'),
      );
      expect(meta).toEqual({
        contentType: 'application/json',
        size: 11,
        sha256: sha256Hex('{"ok":true}'),
      });
      expect(stored.sha256).toBe(sha256Hex('{"ok":true}'));
    });

    it('serves an object whose sidecar is missing as application/octet-stream', async () => {
      await storage.put('disk/no-meta.bin', Buffer.from('raw'), {
        contentType: 'image/gif',
      });
      await rm(join(dataDir, 'objects', 'disk/no-meta.bin~meta.json'));

      const read = await storage.get('disk/no-meta.bin');
      expect(read.contentType).toBe('application/octet-stream');
      await readAll(read.stream);
    });

    it('ignores a sidecar that describes other bytes', async () => {
      await storage.put('disk/stale.bin', Buffer.from('new bytes'), {
        contentType: 'text/plain',
      });
      await writeFile(
        join(dataDir, 'objects', 'disk/stale.bin~meta.json'),
        JSON.stringify({ contentType: 'text/html', size: 3 }),
      );

      const read = await storage.get('disk/stale.bin');
      expect(read.contentType).toBe('application/octet-stream');
      await readAll(read.stream);
    });

    it('refuses with 409 a key that an existing key uses as a folder, or the reverse', async () => {
      await storage.put('clash/a', Buffer.from('file'), {
        contentType: 'text/plain',
      });
      await storage.put('clash/b/c', Buffer.from('file'), {
        contentType: 'text/plain',
      });

      await expectAppError(
        storage.put('clash/a/b', Buffer.from('x'), {
          contentType: 'text/plain',
        }),
        409,
        'object_key_conflict',
      );
      await expectAppError(
        storage.put('clash/b', Buffer.from('x'), { contentType: 'text/plain' }),
        409,
        'object_key_conflict',
      );

      await expect(storage.exists('clash/b')).resolves.toBe(false);
      await expectAppError(storage.get('clash/b'), 404, 'object_not_found');
      await storage.delete('clash/b');
      await expect(listFiles(join(dataDir, 'objects', 'clash'))).resolves.toEqual([
        'a',
        'a~meta.json',
        'b/c',
        'b/c~meta.json',
      ]);
    });
  });

  describe('signed URLs', () => {
    const signedQuery = async (key: string, opts?: { filename?: string; expiresInSeconds?: number }) => {
      const url = new URL(await storage.signedUrl(key, opts));
      return { url, query: Object.fromEntries(url.searchParams) };
    };

    beforeAll(async () => {
      await storage.put('signed/doc.txt', Buffer.from('doc'), {
        contentType: 'text/plain',
      });
    });

    it('builds <publicUrl>/storage/local/<key>?expires=<epoch s>&signature=<hex>', async () => {
      const before = Math.floor(Date.now() / 1000);
      const { url, query } = await signedQuery('signed/doc.txt', {
        expiresInSeconds: 60,
      });

      expect(`${url.origin}${url.pathname}`).toBe(`${PUBLIC_URL}/storage/local/signed/doc.txt`);
      expect(Object.keys(query)).toEqual(['expires', 'signature']);
      expect(Number(query.expires) - before).toBeGreaterThanOrEqual(60);
      expect(Number(query.expires) - before).toBeLessThanOrEqual(62);
      expect(query.signature).toMatch(/^[0-9a-f]{64}$/);
    });

    it('uses the configured TTL by default', async () => {
      const before = Math.floor(Date.now() / 1000);
      const { query } = await signedQuery('signed/doc.txt');

      expect(Number(query.expires) - before).toBeGreaterThanOrEqual(300);
      expect(Number(query.expires) - before).toBeLessThanOrEqual(302);
    });

    it('verifies a genuine URL and reports the seconds it has left', async () => {
      const { query } = await signedQuery('signed/doc.txt', {
        expiresInSeconds: 120,
        filename: 'doc.txt',
      });

      const verified = await storage.signer.verify('signed/doc.txt', query);
      expect(verified.filename).toBe('doc.txt');
      expect(verified.remainingSeconds).toBeGreaterThanOrEqual(118);
      expect(verified.remainingSeconds).toBeLessThanOrEqual(121);
    });

    it('says signature_invalid for an altered signature, key, expiry or file name', async () => {
      const { query } = await signedQuery('signed/doc.txt', {
        filename: 'doc.txt',
      });
      const flip = (s: string) => s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');

      await expectAppError(
        storage.signer.verify('signed/doc.txt', {
          ...query,
          signature: flip(query.signature),
        }),
        403,
        'signature_invalid',
      );
      await expectAppError(storage.signer.verify('signed/doc.txx', query), 403, 'signature_invalid');
      await expectAppError(
        storage.signer.verify('signed/doc.txt', {
          ...query,
          expires: String(Number(query.expires) + 3600),
        }),
        403,
        'signature_invalid',
      );
      await expectAppError(
        storage.signer.verify('signed/doc.txt', {
          ...query,
          filename: 'evil.html',
        }),
        403,
        'signature_invalid',
      );
      await expectAppError(
        storage.signer.verify('signed/doc.txt', {
          ...query,
          filename: undefined,
        }),
        403,
        'signature_invalid',
      );
    });

    it('says signature_invalid for a missing or malformed signature or expiry', async () => {
      const { query } = await signedQuery('signed/doc.txt');

      await expectAppError(
        storage.signer.verify('signed/doc.txt', { expires: query.expires }),
        403,
        'signature_invalid',
      );
      await expectAppError(
        storage.signer.verify('signed/doc.txt', { signature: query.signature }),
        403,
        'signature_invalid',
      );
      await expectAppError(
        storage.signer.verify('signed/doc.txt', {
          ...query,
          signature: query.signature.toUpperCase(),
        }),
        403,
        'signature_invalid',
      );
      await expectAppError(
        storage.signer.verify('signed/doc.txt', {
          ...query,
          signature: query.signature.slice(2),
        }),
        403,
        'signature_invalid',
      );
      await expectAppError(
        storage.signer.verify('signed/doc.txt', {
          ...query,
          signature: [query.signature],
        }),
        403,
        'signature_invalid',
      );
      await expectAppError(
        storage.signer.verify('signed/doc.txt', { ...query, expires: '1e12' }),
        403,
        'signature_invalid',
      );
    });

    it('says signature_expired for a genuine URL past its expiry', async () => {
      const { query } = await signedQuery('signed/doc.txt', {
        expiresInSeconds: 60,
      });

      await expectAppError(
        storage.signer.verify('signed/doc.txt', query, Date.now() + 61_000),
        403,
        'signature_expired',
      );
    });

    it('answers 404 for a genuine URL whose object was deleted', async () => {
      await storage.put('signed/gone.txt', Buffer.from('gone'), {
        contentType: 'text/plain',
      });
      const { query } = await signedQuery('signed/gone.txt');
      await storage.delete('signed/gone.txt');

      await expectAppError(storage.openSigned('signed/gone.txt', query), 404, 'object_not_found');
    });
  });

  describe('signing secret', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'flightdeck-signing-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('is generated once as 32 random bytes in storage-signing.key with mode 0600', async () => {
      const first = new LocalObjectStorage(options({ dataDir: dir }));
      await first.onModuleInit();

      const content = await readFile(join(dir, 'storage-signing.key'), 'utf8');
      expect(content.trim()).toMatch(/^[0-9a-f]{64}$/);
      expect((await stat(join(dir, 'storage-signing.key'))).mode & 0o777).toBe(0o600);
      await expect(readdir(dir)).resolves.toEqual(['storage-signing.key']);
    });

    it('is shared by every driver on the same data dir, even when they start together', async () => {
      const drivers = Array.from({ length: 5 }, () => new LocalObjectStorage(options({ dataDir: dir })));
      const secrets = await Promise.all(drivers.map((d) => d.signer.secret()));

      expect(new Set(secrets.map((s) => s.toString('hex'))).size).toBe(1);
      const url = new URL(await drivers[0].signedUrl('shared/key'));
      const restarted = new LocalObjectStorage(options({ dataDir: dir }));
      await expect(restarted.signer.verify('shared/key', Object.fromEntries(url.searchParams))).resolves.toMatchObject({
        filename: undefined,
      });
    });

    it('comes from STORAGE_SIGNING_SECRET when set, and then no file is written', async () => {
      const secret = 'x'.repeat(40);
      const a = new LocalObjectStorage(options({ dataDir: dir, signingSecret: secret }));
      const b = new LocalObjectStorage(options({ dataDir: dir, signingSecret: secret }));
      const other = new LocalObjectStorage(options({ dataDir: dir, signingSecret: 'y'.repeat(40) }));
      await a.onModuleInit();

      const query = Object.fromEntries(new URL(await a.signedUrl('k/v')).searchParams);
      await expect(b.signer.verify('k/v', query)).resolves.toBeDefined();
      await expectAppError(other.signer.verify('k/v', query), 403, 'signature_invalid');
      await expect(readdir(dir)).resolves.toEqual([]);
    });

    it('refuses to start on a corrupt secret file rather than replace it', async () => {
      await writeFile(join(dir, 'storage-signing.key'), 'not hex', {
        mode: 0o600,
      });

      await expect(new LocalObjectStorage(options({ dataDir: dir })).onModuleInit()).rejects.toThrow(
        /64 hex characters/,
      );
      await expect(readFile(join(dir, 'storage-signing.key'), 'utf8')).resolves.toBe('not hex');
    });
  });
});
