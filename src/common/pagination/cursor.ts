import { ValidationAppException } from 'src/common/errors/app.exception';

/** Opaque cursors: base64url JSON of the sort key of the last row returned. */
export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor<T extends Record<string, string | number>>(cursor: string, keys: (keyof T)[]): T {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
    if (value && typeof value === 'object' && keys.every((k) => ['string', 'number'].includes(typeof value[k]))) {
      return value;
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationAppException([{ field: 'cursor', message: 'cursor is not valid' }]);
}

/** Splits a `limit + 1` query result into the page and the cursor of the next one. */
export function toPage<T>(rows: T[], limit: number, positionOf: (row: T) => Record<string, string | number>) {
  const hasMore = rows.length > limit;
  const data = hasMore ? rows.slice(0, limit) : rows;
  const last = data[data.length - 1];
  return { data, next_cursor: hasMore && last ? encodeCursor(positionOf(last)) : null };
}
