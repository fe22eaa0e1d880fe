import { HttpStatus } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';

export const SessionsErrorCode = {
  SessionIdTaken: 'session_id_taken',
  EventConflict: 'event_conflict',
  EventRejected: 'event_rejected',
  ProjectRequired: 'project_required',
  TooManyEvents: 'too_many_events',
  EventTooLarge: 'event_too_large',
} as const;

export class SessionsException extends AppException {
  constructor(
    status: HttpStatus,
    code: (typeof SessionsErrorCode)[keyof typeof SessionsErrorCode],
    detail: string,
    extras: Record<string, unknown> = {},
  ) {
    super(status, code, detail, extras);
  }
}
