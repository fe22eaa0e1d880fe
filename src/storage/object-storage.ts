import { Readable } from 'node:stream';
import {
  MAX_OBJECT_KEY_LENGTH,
  MAX_OBJECT_KEY_SEGMENT_LENGTH,
  MAX_SIGNED_URL_TTL_SECONDS,
} from 'src/storage/storage.constants';
import { InvalidContentTypeException, InvalidObjectKeyException } from 'src/storage/storage.exception';

export interface PutObjectOptions {
  contentType: string;
  /** Refuse (413 `payload_too_large`) and keep nothing once the body grows past this many bytes. */
  maxBytes?: number;
}

export interface StoredObject {
  key: string;
  /** Bytes written. */
  size: number;
  /** Lower-case hex SHA-256 of the bytes written. */
  sha256: string;
  contentType: string;
}

export interface ObjectReadResult {
  /** The object's bytes; consume or destroy it, or it holds a file handle or connection. */
  stream: Readable;
  size: number;
  contentType: string;
}

export interface SignedUrlOptions {
  /** Lifetime of the URL; defaults to `SIGNED_URL_TTL_SECONDS`. */
  expiresInSeconds?: number;
  /** Offered as the download's file name (`Content-Disposition: attachment`). */
  filename?: string;
}

/**
 * The object storage port, and its DI token: inject `ObjectStorage`, get the local or the S3 driver.
 *
 * Keys are relative paths such as `artifacts/<workspace>/<uuid>.png`: `/`-separated segments of
 * `[A-Za-z0-9._=-]`, no empty, `.` or `..` segment, no `..` anywhere, at most 1024 bytes. Every
 * method refuses any other key with a 400 `invalid_object_key`.
 */
export abstract class ObjectStorage {
  /** Which driver this is, for logs and health output. */
  abstract readonly driver: 'local' | 's3';

  /**
   * Streams `body` into the object `key`, replacing any object there. Size and SHA-256 are
   * computed while streaming; the body is never held in memory whole. Readers see the old object
   * or the complete new one, never a part. Past `maxBytes` it stops reading, keeps nothing and
   * throws 413 `payload_too_large`. On failure the body stream is left unread, not destroyed.
   */
  abstract put(key: string, body: Readable | Buffer, opts: PutObjectOptions): Promise<StoredObject>;

  /** Opens the object for reading; 404 `object_not_found` when there is none. */
  abstract get(key: string): Promise<ObjectReadResult>;

  abstract exists(key: string): Promise<boolean>;

  /** Removes the object; removing an absent object is not an error. */
  abstract delete(key: string): Promise<void>;

  /**
   * Removes every object whose key starts with `prefix/` (a project's or a workspace's objects);
   * `prefix` is itself a well-formed key. Nothing under it is not an error.
   */
  abstract deleteUnder(prefix: string): Promise<void>;

  /** A short-lived URL that downloads the object without credentials. */
  abstract signedUrl(key: string, opts?: SignedUrlOptions): Promise<string>;
}

const KEY_SEGMENT = /^[A-Za-z0-9._=-]+$/;

/** Throws 400 `invalid_object_key` unless `key` is a well-formed object key. */
export function assertValidObjectKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidObjectKeyException('the key is empty');
  if (key.length > MAX_OBJECT_KEY_LENGTH) {
    throw new InvalidObjectKeyException(`the key is longer than ${MAX_OBJECT_KEY_LENGTH} characters`);
  }
  if (key.startsWith('/')) throw new InvalidObjectKeyException('the key must be relative');
  if (key.includes('..')) throw new InvalidObjectKeyException('the key must not contain ".."');
  for (const segment of key.split('/')) {
    if (segment === '') throw new InvalidObjectKeyException('the key has an empty segment');
    if (segment === '.') throw new InvalidObjectKeyException('the key has a "." segment');
    if (segment.length > MAX_OBJECT_KEY_SEGMENT_LENGTH) {
      throw new InvalidObjectKeyException(`a segment is longer than ${MAX_OBJECT_KEY_SEGMENT_LENGTH} characters`);
    }
    if (!KEY_SEGMENT.test(segment)) {
      throw new InvalidObjectKeyException('segments may only contain letters, digits and . _ = -');
    }
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Throws 400 `invalid_content_type` for a content type that could not go into a header. */
export function assertValidContentType(contentType: unknown): asserts contentType is string {
  if (typeof contentType !== 'string' || contentType.trim() === '' || CONTROL_CHARS.test(contentType)) {
    throw new InvalidContentTypeException();
  }
}

/** The TTL a signed URL gets: the caller's, or the configured default; a programming error outside 1 s..7 days. */
export function resolveSignedUrlTtl(requested: number | undefined, defaultSeconds: number): number {
  const ttl = requested ?? defaultSeconds;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_SIGNED_URL_TTL_SECONDS) {
    throw new RangeError(`A signed URL lifetime must be an integer from 1 to ${MAX_SIGNED_URL_TTL_SECONDS} seconds`);
  }
  return ttl;
}
