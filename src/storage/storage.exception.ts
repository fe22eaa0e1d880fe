import { HttpStatus } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';

export class InvalidObjectKeyException extends AppException {
  constructor(reason: string) {
    super(HttpStatus.BAD_REQUEST, 'invalid_object_key', `Invalid object key: ${reason}`);
  }
}

export class InvalidContentTypeException extends AppException {
  constructor() {
    super(HttpStatus.BAD_REQUEST, 'invalid_content_type', 'The content type is empty or contains control characters');
  }
}

export class ObjectNotFoundException extends AppException {
  constructor() {
    // The key is storage layout, not something to show a client.
    super(HttpStatus.NOT_FOUND, 'object_not_found', 'The object was not found');
  }
}

/** The local file system cannot hold both `a` and `a/b` (S3 can). */
export class ObjectKeyConflictException extends AppException {
  constructor() {
    super(HttpStatus.CONFLICT, 'object_key_conflict', 'The object key collides with an existing key prefix');
  }
}

export class SignatureInvalidException extends AppException {
  constructor() {
    super(HttpStatus.FORBIDDEN, 'signature_invalid', 'The URL signature is missing or does not match');
  }
}

export class SignatureExpiredException extends AppException {
  constructor() {
    super(HttpStatus.FORBIDDEN, 'signature_expired', 'The signed URL has expired');
  }
}
