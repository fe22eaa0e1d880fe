import { randomBytes } from 'node:crypto';
import { FileHandle, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { Logger, OnModuleInit } from '@nestjs/common';
import { BodyMeter, meterBody } from 'src/storage/body-meter';
import { attachmentDisposition, sanitizeFilename } from 'src/storage/content-disposition';
import { errorCode, LocalUrlSigner, SignedObjectQuery } from 'src/storage/local-url-signer';
import {
  assertValidContentType,
  assertValidObjectKey,
  ObjectReadResult,
  ObjectStorage,
  PutObjectOptions,
  resolveSignedUrlTtl,
  SignedUrlOptions,
  StoredObject,
} from 'src/storage/object-storage';
import { DEFAULT_CONTENT_TYPE, LOCAL_OBJECTS_DIR, LOCAL_STORAGE_ROUTE } from 'src/storage/storage.constants';
import { ObjectKeyConflictException, ObjectNotFoundException } from 'src/storage/storage.exception';

export interface LocalObjectStorageOptions {
  /** `app.dataDir`: objects live under `<dataDir>/objects/`. */
  dataDir: string;
  /** `app.publicUrl`: signed URLs point at `<publicUrl>/storage/local/<key>`. */
  publicUrl: string;
  /** `storage.signedUrlTtlSeconds`. */
  signedUrlTtlSeconds: number;
  /** `storage.signingSecret`; generated under `dataDir` when unset. */
  signingSecret?: string;
}

/** What the download route needs to answer a verified signed URL. */
export interface SignedObjectDownload extends ObjectReadResult {
  /** `Content-Disposition` value when a file name was signed into the URL. */
  contentDisposition?: string;
  /** Seconds the URL stays valid: the response may be cached that long, privately. */
  maxAgeSeconds: number;
}

interface ObjectMeta {
  contentType: string;
  size: number;
  sha256: string;
}

/**
 * Sidecar and temp names carry a `~`, which no key segment may contain, so they can never be
 * mistaken for (or collide with) an object.
 */
const META_SUFFIX = '~meta.json';
const TEMP_SUFFIX = '.tmp';

/**
 * Objects as files under `<dataDir>/objects/<key>`, their content type in a `<key>~meta.json`
 * sidecar. A put streams into a temp file in the object's directory, fsyncs it and renames it over
 * the final name, so a crash never leaves half an object under that name; the sidecar is put in
 * place the same way just before the object (a crash in between leaves the old bytes with the new
 * sidecar, which `get` notices by size and ignores).
 */
export class LocalObjectStorage extends ObjectStorage implements OnModuleInit {
  readonly driver = 'local';
  private readonly logger = new Logger(LocalObjectStorage.name);
  private readonly root: string;
  private readonly publicUrl: string;
  readonly signer: LocalUrlSigner;

  constructor(private readonly options: LocalObjectStorageOptions) {
    super();
    this.root = join(options.dataDir, LOCAL_OBJECTS_DIR);
    this.publicUrl = options.publicUrl.replace(/\/+$/, '');
    this.signer = new LocalUrlSigner({
      dataDir: options.dataDir,
      signingSecret: options.signingSecret,
    });
  }

  /** Loads or creates the signing secret at boot, so a bad data dir fails fast. */
  async onModuleInit(): Promise<void> {
    await this.signer.secret();
    this.logger.log(`Object storage: local files under ${this.root}`);
  }

  async put(key: string, body: Readable | Buffer, opts: PutObjectOptions): Promise<StoredObject> {
    assertValidObjectKey(key);
    assertValidContentType(opts.contentType);
    const path = this.pathOf(key);
    const dir = dirname(path);
    await this.ensureDir(dir);

    const temp = this.tempPathFor(path);
    let handle: FileHandle | undefined;
    let meter: BodyMeter | undefined;
    try {
      handle = await open(temp, 'wx', 0o644);
      meter = meterBody(body, opts.maxBytes);
      for await (const chunk of meter as AsyncIterable<Buffer>) await writeAll(handle, chunk);
      await handle.sync();
      await handle.close();
      handle = undefined;

      const stored: StoredObject = {
        key,
        size: meter.bytesPassed,
        sha256: meter.sha256(),
        contentType: opts.contentType,
      };
      const meta: ObjectMeta = {
        contentType: stored.contentType,
        size: stored.size,
        sha256: stored.sha256,
      };
      await this.writeFileAtomically(`${path}${META_SUFFIX}`, JSON.stringify(meta));
      try {
        await this.renameIntoPlace(temp, path);
      } catch (err) {
        // No object can be at `path` when it is a directory: the sidecar is ours alone.
        if (err instanceof ObjectKeyConflictException) await rm(`${path}${META_SUFFIX}`, { force: true });
        throw err;
      }
      await fsyncDir(dir);
      return stored;
    } catch (err) {
      meter?.destroy();
      await handle?.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<ObjectReadResult> {
    assertValidObjectKey(key);
    const path = this.pathOf(key);
    let handle: FileHandle;
    try {
      // The open handle pins this version of the object even if a put replaces it meanwhile.
      handle = await open(path, 'r');
    } catch (err) {
      if (isMissing(err)) throw new ObjectNotFoundException();
      throw err;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new ObjectNotFoundException();
      const contentType = (await this.readContentType(path, info.size)) ?? DEFAULT_CONTENT_TYPE;
      return {
        stream: handle.createReadStream(),
        size: info.size,
        contentType,
      };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    assertValidObjectKey(key);
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidObjectKey(key);
    const path = this.pathOf(key);
    try {
      const info = await stat(path);
      if (!info.isFile()) return; // a key prefix of other objects, not an object
      await rm(path, { force: true });
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    await rm(`${path}${META_SUFFIX}`, { force: true });
  }

  async deleteUnder(prefix: string): Promise<void> {
    assertValidObjectKey(prefix);
    // Keys map to paths segment by segment: the folder of the prefix holds exactly its objects.
    const path = this.pathOf(prefix);
    try {
      if (!(await stat(path)).isDirectory()) return;
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    await rm(path, { recursive: true, force: true });
  }

  async signedUrl(key: string, opts: SignedUrlOptions = {}): Promise<string> {
    assertValidObjectKey(key);
    const ttl = resolveSignedUrlTtl(opts.expiresInSeconds, this.options.signedUrlTtlSeconds);
    const expires = Math.ceil((Date.now() + ttl * 1000) / 1000);
    const filename = opts.filename === undefined ? undefined : sanitizeFilename(opts.filename);
    const query = new URLSearchParams({
      expires: String(expires),
      signature: await this.signer.sign(key, expires, filename),
    });
    if (filename !== undefined) query.set('filename', filename);
    const path = key.split('/').map(encodeURIComponent).join('/');
    return `${this.publicUrl}/${LOCAL_STORAGE_ROUTE}/${path}?${query.toString()}`;
  }

  /**
   * Verifies a signed URL's key and query (400 `invalid_object_key`, 403 `signature_invalid` or
   * `signature_expired`) and opens the object (404 `object_not_found`): the download route's work.
   */
  async openSigned(key: string, query: SignedObjectQuery): Promise<SignedObjectDownload> {
    assertValidObjectKey(key);
    const { filename, remainingSeconds } = await this.signer.verify(key, query);
    const object = await this.get(key);
    return {
      ...object,
      contentDisposition: filename === undefined ? undefined : attachmentDisposition(filename),
      maxAgeSeconds: remainingSeconds,
    };
  }

  private pathOf(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  private tempPathFor(path: string): string {
    return join(dirname(path), `${basename(path)}~${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`);
  }

  private async ensureDir(dir: string): Promise<void> {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      // An object `a` is in the way of `a/b`.
      if (errorCode(err) === 'ENOTDIR' || errorCode(err) === 'EEXIST') throw new ObjectKeyConflictException();
      throw err;
    }
  }

  private async renameIntoPlace(from: string, to: string): Promise<void> {
    try {
      await rename(from, to);
    } catch (err) {
      // Objects under `a/` are in the way of `a`.
      if (errorCode(err) === 'EISDIR' || errorCode(err) === 'ENOTEMPTY' || errorCode(err) === 'EEXIST') {
        throw new ObjectKeyConflictException();
      }
      throw err;
    }
  }

  private async writeFileAtomically(path: string, content: string): Promise<void> {
    const temp = this.tempPathFor(path);
    try {
      const handle = await open(temp, 'wx', 0o644);
      try {
        await handle.writeFile(content, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  /** The sidecar's content type, unless it is missing, unreadable or belongs to other bytes. */
  private async readContentType(path: string, size: number): Promise<string | undefined> {
    try {
      const meta = JSON.parse(await readFile(`${path}${META_SUFFIX}`, 'utf8')) as Partial<ObjectMeta>;
      if (typeof meta.contentType === 'string' && meta.size === size) return meta.contentType;
      this.logger.warn(`Object metadata does not match the object at ${path}; serving it as ${DEFAULT_CONTENT_TYPE}`);
    } catch (err) {
      if (!isMissing(err)) this.logger.warn(`Unreadable object metadata for ${path}: ${String(err)}`);
    }
    return undefined;
  }
}

function isMissing(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

/** Makes a rename durable. Directories cannot be fsynced on Windows; there it is skipped. */
async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
