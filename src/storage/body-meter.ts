import { createHash } from 'node:crypto';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { PayloadTooLargeAppException } from 'src/common/errors/app.exception';

/** The 413 every driver throws when a body passes `maxBytes`. */
export function payloadTooLarge(maxBytes: number): PayloadTooLargeAppException {
  return new PayloadTooLargeAppException(`The object is larger than the limit of ${maxBytes} bytes`);
}

/**
 * A pass-through that counts and hashes the bytes on their way to a driver, and fails with 413
 * `payload_too_large` as soon as they pass `maxBytes` (the offending chunk is not passed on).
 */
export class BodyMeter extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private tooLarge = false;

  constructor(private readonly maxBytes?: number) {
    super();
    if (maxBytes !== undefined && (!Number.isSafeInteger(maxBytes) || maxBytes < 0)) {
      throw new RangeError('maxBytes must be a non-negative integer');
    }
  }

  /**
   * Bytes passed so far. (Not `size` or `length`: lib-storage's Upload would take those for the
   * body's total length.)
   */
  get bytesPassed(): number {
    return this.bytes;
  }

  /** Whether the body went past `maxBytes`. */
  get exceeded(): boolean {
    return this.tooLarge;
  }

  /** Hex SHA-256 of everything that passed; call once, after the stream ended. */
  sha256(): string {
    return this.hash.digest('hex');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.maxBytes !== undefined && this.bytes > this.maxBytes) {
      this.tooLarge = true;
      callback(payloadTooLarge(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }
}

/**
 * Feeds `body` through a new BodyMeter. An error of `body` fails the meter; when the meter fails
 * or is destroyed, `body` is unpiped and paused but not destroyed (an HTTP request can then still
 * get its 413 answer).
 */
export function meterBody(body: Readable | Buffer, maxBytes?: number): BodyMeter {
  const meter = new BodyMeter(maxBytes);
  // The consumer sees errors through its read loop; this keeps one that fires before the consumer
  // starts reading (a Buffer over the limit, say) from being an unhandled 'error' event.
  meter.on('error', () => undefined);
  if (Buffer.isBuffer(body)) {
    meter.end(body);
    return meter;
  }
  // pipe() does not carry an error that happened before it: a dead stream would never end.
  if (body.destroyed || body.errored) {
    meter.destroy(body.errored ?? new Error('The body stream was closed before it was read'));
    return meter;
  }
  const onError = (err: Error) => meter.destroy(err);
  body.on('error', onError);
  meter.once('close', () => body.off('error', onError));
  body.pipe(meter);
  return meter;
}
