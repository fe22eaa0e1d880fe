import { HttpStatus } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';

export const ArtifactsErrorCode = {
  ArtifactExists: 'artifact_exists',
  ArtifactEventRejected: 'artifact_event_rejected',
} as const;

export class ArtifactsException extends AppException {
  constructor(status: HttpStatus, code: (typeof ArtifactsErrorCode)[keyof typeof ArtifactsErrorCode], detail: string) {
    super(status, code, detail);
  }
}
