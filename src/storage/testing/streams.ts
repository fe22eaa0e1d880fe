import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

/** A stream of `size` random bytes made on demand, and the digest of what it produced. */
export function randomStream(size: number, chunkSize = 64 * 1024): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  let left = size;
  const stream = new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const chunk = randomBytes(Math.min(chunkSize, left));
      left -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, sha256: () => hash.digest('hex') };
}

/** A stream that sends `bytesBeforeError` random bytes and then fails, like a dropped upload. */
export function failingStream(bytesBeforeError: number, error = new Error('client went away')): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytesBeforeError) {
        this.destroy(error);
        return;
      }
      const chunk = randomBytes(Math.min(64 * 1024, bytesBeforeError - sent));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

/** Size and hex SHA-256 of a stream, read chunk by chunk. */
export async function digestStream(stream: Readable): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    hash.update(chunk);
  }
  return { size, sha256: hash.digest('hex') };
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
