import { ValidationAppException } from 'src/common/errors/app.exception';
import { decodeCursor } from 'src/common/pagination/cursor';

/** Keyset position of a page: rows strictly after it, newest first. */
export interface Position {
  createdAt: Date;
  id: string;
}

/** The position an opaque cursor (`{t, id}` of the last row) stands for; 422 when it is not one. */
export function positionOf(cursor: string): Position {
  const { t, id } = decodeCursor<{ t: string; id: string }>(cursor, ['t', 'id']);
  const createdAt = new Date(t);
  if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw new ValidationAppException([{ field: 'cursor', message: 'cursor is not valid' }]);
  }
  return { createdAt, id };
}

/** The cursor fields of a row. */
export const cursorOf = (row: { createdAt: Date; id: string }) => ({ t: row.createdAt.toISOString(), id: row.id });
