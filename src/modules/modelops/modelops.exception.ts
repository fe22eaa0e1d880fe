import { HttpStatus } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AppException } from 'src/common/errors/app.exception';

export const ModelOpsErrorCode = {
  /** The lifecycle action is not allowed from the model's current state (409, with `current_state`). */
  InvalidStateTransition: 'invalid_state_transition',
  /** Activation needs a current, successful validation (409). */
  ValidationRequired: 'validation_required',
  /** A deployment binding (or another upper-layer owner) still uses the model (409, with `bindings`). */
  ModelInUse: 'model_in_use',
  /** A model asked to be bound is not active with a current successful validation (409, with `models`). */
  ModelNotBindable: 'model_not_bindable',
  /** Ids asked to be bound that name no model (422, with `model_ids`). */
  UnknownModels: 'unknown_models',
  NameTaken: 'name_taken',
  /** A model's or credential's configuration is incomplete or inconsistent (422). */
  InvalidModelConfig: 'invalid_model_config',
  CredentialInUse: 'credential_in_use',
  /** The stored secret cannot be decrypted with any configured key-encryption key (500-class, logged). */
  CredentialUndecryptable: 'credential_undecryptable',
  /** The outbound target resolves to a private or loopback address (422). */
  OutboundTargetRefused: 'outbound_target_refused',
  /** The model hub answered with an error or could not be reached (502). */
  HubUnavailable: 'hub_unavailable',
  /** The model hub does not know the repository or revision (404). */
  HubNotFound: 'hub_not_found',
  /** The selected local runtime does not serve the model (409). */
  RuntimeNotServing: 'runtime_not_serving',
  /** The download matched no file of the repository (422). */
  NothingToDownload: 'nothing_to_download',
  /** A local model needs a completed download (422/409). */
  DownloadNotCompleted: 'download_not_completed',
} as const;
export type ModelOpsErrorCode = (typeof ModelOpsErrorCode)[keyof typeof ModelOpsErrorCode];

export class ModelOpsException extends AppException {
  constructor(status: HttpStatus, code: ModelOpsErrorCode, detail: string, extras: Record<string, unknown> = {}) {
    super(status, code, detail, extras);
  }
}

/** A unique index refused the write (PostgreSQL 23505): a name taken meanwhile. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof QueryFailedError && (err.driverError as { code?: string } | undefined)?.code === '23505';
}
