import { HttpStatus } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';

export const UsersErrorCode = {
  SlugTaken: 'slug_taken',
  LastOwner: 'last_owner',
  AlreadyMember: 'already_member',
  UserNotFound: 'user_not_found',
  OwnerGrantDenied: 'owner_grant_denied',
  ProjectPinned: 'project_pinned',
  InvalidExpiry: 'invalid_expiry',
  ServiceKeyDenied: 'service_key_denied',
} as const;

export class UsersException extends AppException {
  constructor(status: HttpStatus, code: (typeof UsersErrorCode)[keyof typeof UsersErrorCode], detail: string) {
    super(status, code, detail);
  }
}
