/**
 * One-dimensional PostgreSQL arrays in the binary wire format (`array_recv`), for the per-event
 * columns of hot set-based statements. node-postgres sends a Buffer parameter as-is, in binary
 * format. Compared with a text literal (`{...}`) this needs no quoting or escaping, the server
 * parses no text, and the bytes live outside the V8 heap: a flush of thousands of events leaves
 * no long strings behind for the collector to copy.
 *
 * Layout: ndim, has-nulls flag, element type oid, then for the one dimension its length and lower
 * bound (1); then each element as its byte length (-1 for NULL) and its bytes. All big-endian.
 */

const INT4_OID = 23;
const INT8_OID = 20;
const TEXT_OID = 25;
const TWO_TO_32 = 2 ** 32;

/** The header's size: an empty array has no dimension, so no length and lower bound. */
const headerBytes = (count: number) => (count === 0 ? 12 : 20);

/** A buffer of `size` bytes that starts with the header of a `count`-element array. */
function withHeader(size: number, count: number, elementType: number, hasNulls: boolean): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  buffer.writeInt32BE(count === 0 ? 0 : 1, 0);
  buffer.writeInt32BE(hasNulls ? 1 : 0, 4);
  buffer.writeInt32BE(elementType, 8);
  if (count > 0) {
    buffer.writeInt32BE(count, 12);
    buffer.writeInt32BE(1, 16);
  }
  return buffer;
}

/** An `int[]` of what `pick` gives for each item (32-bit integers). */
export function int4Array<T>(items: readonly T[], pick: (item: T) => number): Buffer {
  let offset = headerBytes(items.length);
  const buffer = withHeader(offset + items.length * 8, items.length, INT4_OID, false);
  for (const item of items) {
    buffer.writeInt32BE(4, offset);
    buffer.writeInt32BE(pick(item), offset + 4);
    offset += 8;
  }
  return buffer;
}

/** A `bigint[]` of what `pick` gives for each item (safe integers: seqs and positions). */
export function int8Array<T>(items: readonly T[], pick: (item: T) => number): Buffer {
  let offset = headerBytes(items.length);
  const buffer = withHeader(offset + items.length * 12, items.length, INT8_OID, false);
  for (const item of items) {
    const value = pick(item);
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
    buffer.writeInt32BE(8, offset);
    // High and low words; Math.floor keeps the two's complement of negative values right.
    buffer.writeInt32BE(Math.floor(value / TWO_TO_32), offset + 4);
    buffer.writeUInt32BE(value >>> 0, offset + 8);
    offset += 12;
  }
  return buffer;
}

/** A `text[]` of what `pick` gives for each item, in UTF-8; null elements are NULL. */
export function textArray<T>(items: readonly T[], pick: (item: T) => string | null): Buffer {
  let size = headerBytes(items.length);
  let hasNulls = false;
  for (const item of items) {
    const value = pick(item);
    size += 4;
    if (value === null) hasNulls = true;
    else size += Buffer.byteLength(value);
  }
  const buffer = withHeader(size, items.length, TEXT_OID, hasNulls);
  let offset = headerBytes(items.length);
  for (const item of items) {
    const value = pick(item);
    if (value === null) {
      buffer.writeInt32BE(-1, offset);
      offset += 4;
      continue;
    }
    const written = buffer.write(value, offset + 4);
    buffer.writeInt32BE(written, offset);
    offset += 4 + written;
  }
  return buffer;
}
