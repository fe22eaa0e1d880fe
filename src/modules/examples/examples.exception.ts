import { HttpStatus } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';

export const ExamplesErrorCode = {
  ModelNotUsable: 'model_not_usable',
  ExampleNotReady: 'example_not_ready',
} as const;

export class ExamplesException extends AppException {
  constructor(
    status: HttpStatus,
    code: (typeof ExamplesErrorCode)[keyof typeof ExamplesErrorCode],
    detail: string,
    extras: Record<string, unknown> = {},
  ) {
    super(status, code, detail, extras);
  }
}

/** A build failure retrying cannot fix (the session is gone, say): the example fails at once. */
export class PermanentBuildError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentBuildError';
  }
}
