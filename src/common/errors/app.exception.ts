import { HttpException, HttpStatus } from '@nestjs/common';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `events.3.seq`. */
  field: string;
  message: string;
}

/**
 * Base of every module's exception: an HTTP status, a stable machine code (the problem `type`
 * ends with it) and a human detail. The global filter renders it as problem+json.
 */
export class AppException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    detail: string,
    readonly extras: { errors?: FieldError[]; retryAfterSeconds?: number; [key: string]: unknown } = {},
  ) {
    super(detail, status);
  }
}

export class NotFoundAppException extends AppException {
  constructor(resource: string, id?: string) {
    super(HttpStatus.NOT_FOUND, 'not_found', id ? `${resource} ${id} was not found` : `${resource} was not found`);
  }
}

export class ForbiddenAppException extends AppException {
  constructor(detail: string, code = 'forbidden') {
    super(HttpStatus.FORBIDDEN, code, detail);
  }
}

export class ConflictAppException extends AppException {
  constructor(detail: string, code = 'conflict', extras: Record<string, unknown> = {}) {
    super(HttpStatus.CONFLICT, code, detail, extras);
  }
}

export class ValidationAppException extends AppException {
  constructor(errors: FieldError[], detail = 'The request failed validation') {
    super(HttpStatus.UNPROCESSABLE_ENTITY, 'validation_failed', detail, { errors });
  }
}

export class PayloadTooLargeAppException extends AppException {
  constructor(detail: string) {
    super(HttpStatus.PAYLOAD_TOO_LARGE, 'payload_too_large', detail);
  }
}

export class UnsupportedMediaTypeAppException extends AppException {
  constructor(detail: string) {
    super(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'unsupported_media_type', detail);
  }
}
