import { HttpStatus } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';

export const StreamErrorCode = {
  InvalidLastEventId: 'invalid_last_event_id',
} as const;

export class StreamException extends AppException {
  constructor(
    status: HttpStatus,
    code: (typeof StreamErrorCode)[keyof typeof StreamErrorCode],
    detail: string,
    extras: Record<string, unknown> = {},
  ) {
    super(status, code, detail, extras);
  }
}
