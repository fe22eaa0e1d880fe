import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Logger } from '@nestjs/common';
import { LOCAL_SIGNING_KEY_FILE } from 'src/storage/storage.constants';
import { SignatureExpiredException, SignatureInvalidException } from 'src/storage/storage.exception';

export interface LocalUrlSignerOptions {
  dataDir: string;
  /** `STORAGE_SIGNING_SECRET`; when unset a secret is generated once under `dataDir`. */
  signingSecret?: string;
}

/** The query string of a signed local-storage URL, as it arrives (unvalidated). */
export interface SignedObjectQuery {
  expires?: unknown;
  signature?: unknown;
  filename?: unknown;
}

export interface VerifiedSignature {
  /** The file name that was signed into the URL, if any. */
  filename?: string;
  /** Whole seconds the URL stays valid (for `Cache-Control: max-age`). */
  remainingSeconds: number;
}

const SECRET_HEX = /^[0-9a-f]{64}$/;
const SIGNATURE_HEX = /^[0-9a-f]{64}$/;
const EPOCH_SECONDS = /^[0-9]{1,12}$/;

/**
 * HMAC-SHA256 signatures of local-storage URLs over (key, expiry, file name). The secret is
 * `STORAGE_SIGNING_SECRET`, or 32 random bytes kept in `<dataDir>/storage-signing.key` (mode 0600)
 * so that restarts and every process on the same data dir agree.
 */
export class LocalUrlSigner {
  private readonly logger = new Logger(LocalUrlSigner.name);
  private secretPromise?: Promise<Buffer>;

  constructor(private readonly options: LocalUrlSignerOptions) {}

  /** Loads (or creates) the secret; cached, retried after a failure. */
  secret(): Promise<Buffer> {
    if (this.options.signingSecret) return Promise.resolve(Buffer.from(this.options.signingSecret, 'utf8'));
    this.secretPromise ??= loadOrCreateSecret(join(this.options.dataDir, LOCAL_SIGNING_KEY_FILE), this.logger).catch(
      (err: unknown) => {
        this.secretPromise = undefined;
        throw err;
      },
    );
    return this.secretPromise;
  }

  /** Hex HMAC of the URL's signed fields. */
  async sign(key: string, expires: number, filename?: string): Promise<string> {
    const payload = `v1\n${key}\n${expires}\n${filename ?? ''}`;
    return createHmac('sha256', await this.secret())
      .update(payload, 'utf8')
      .digest('hex');
  }

  /**
   * Checks the signature first (403 `signature_invalid`, so a forged expiry never reads as
   * expired), then the expiry (403 `signature_expired`). `key` must already be validated.
   */
  async verify(key: string, query: SignedObjectQuery, now = Date.now()): Promise<VerifiedSignature> {
    const { expires, signature, filename } = query;
    if (typeof expires !== 'string' || !EPOCH_SECONDS.test(expires)) throw new SignatureInvalidException();
    if (typeof signature !== 'string' || !SIGNATURE_HEX.test(signature)) throw new SignatureInvalidException();
    if (filename !== undefined && (typeof filename !== 'string' || filename === '')) {
      throw new SignatureInvalidException();
    }
    const expected = Buffer.from(await this.sign(key, Number(expires), filename), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) throw new SignatureInvalidException();
    const remainingMs = Number(expires) * 1000 - now;
    if (remainingMs <= 0) throw new SignatureExpiredException();
    return { filename, remainingSeconds: Math.floor(remainingMs / 1000) };
  }
}

/**
 * Reads the secret file, or creates it without a race: the secret is written to a private temp
 * file that is then hard-linked to the final name, which fails when another process got there
 * first; either way everyone then reads the one file that won.
 */
async function loadOrCreateSecret(path: string, logger: Logger): Promise<Buffer> {
  const existing = await readSecretFile(path, logger);
  if (existing) return existing;

  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  await writeFile(temp, `${randomBytes(32).toString('hex')}\n`, {
    mode: 0o600,
    flag: 'wx',
    flush: true,
  });
  try {
    await link(temp, path);
    logger.log(`Generated the local storage signing secret at ${path}`);
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err;
  } finally {
    await unlink(temp);
  }
  const created = await readSecretFile(path, logger);
  if (!created) throw new Error(`The storage signing secret at ${path} vanished while it was being created`);
  return created;
}

async function readSecretFile(path: string, logger: Logger): Promise<Buffer | undefined> {
  let content: string;
  try {
    content = (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  if (!SECRET_HEX.test(content)) {
    // Never replace it silently: every URL signed so far, by every process, would break.
    throw new Error(`The storage signing secret at ${path} is not 64 hex characters; fix or delete it`);
  }
  const { mode } = await stat(path);
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    logger.warn(`The storage signing secret at ${path} is readable by other users; chmod 600 it`);
  }
  return Buffer.from(content, 'hex');
}

export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}
