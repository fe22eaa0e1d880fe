import { HttpStatus } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';

export const IncidentsErrorCode = {
  /** PUT analysis needs a service key or a superadmin's key; browser (SSO) tokens never pass. */
  ServiceCredentialRequired: 'service_credential_required',
  /** An incident's owner must be a member of its workspace. */
  OwnerNotMember: 'owner_not_member',
  /** A finding names seqs that are not events of the session. */
  UnknownSeq: 'unknown_seq',
  /** A PATCH that changes nothing it could (no field given). */
  NothingToUpdate: 'nothing_to_update',
} as const;
export type IncidentsErrorCode = (typeof IncidentsErrorCode)[keyof typeof IncidentsErrorCode];

export class IncidentsException extends AppException {
  constructor(status: HttpStatus, code: IncidentsErrorCode, detail: string, extras: Record<string, unknown> = {}) {
    super(status, code, detail, extras);
  }
}
