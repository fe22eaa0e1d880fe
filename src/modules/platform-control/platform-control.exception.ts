import { HttpStatus } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';

export const PlatformControlErrorCode = {
  /** The runtime profile is offline and the call would reach a cloud provider (or the hub). */
  OfflineProviderBlocked: 'offline_provider_blocked',
  SlugTaken: 'slug_taken',
  FamilyImmutable: 'family_immutable',
  CapabilityNotSupported: 'capability_not_supported',
  EndpointRequired: 'endpoint_required',
  EndpointNotAllowed: 'endpoint_not_allowed',
  InvalidSecretRef: 'invalid_secret_ref',
  CredentialUnavailable: 'credential_unavailable',
  ProviderInUse: 'provider_in_use',
  LoadedModelNotSupported: 'loaded_model_not_supported',
  InvalidBinding: 'invalid_binding',
  DeploymentActive: 'deployment_active',
  DeploymentIncomplete: 'deployment_incomplete',
  PreflightFailed: 'preflight_failed',
  NoActiveDeployment: 'no_active_deployment',
  CapabilityNotConfigured: 'capability_not_configured',
  ModelNotBound: 'model_not_bound',
  /** ModelOps governance: the model is not shared with the caller's workspace and role (403). */
  ModelNotShared: 'model_not_shared',
  ModelNotServed: 'model_not_served',
  IndexNotBound: 'index_not_bound',
  DimensionMismatch: 'dimension_mismatch',
  /** The vector index does not exist in the store: ensure it first. */
  IndexNotFound: 'index_not_found',
  /** The provider answered 401/403: its credential is wrong. */
  ProviderAuthFailed: 'provider_auth_failed',
  ProviderNotFound: 'provider_not_found',
  ProviderRateLimited: 'provider_rate_limited',
  ProviderError: 'provider_error',
  ProviderUnreachable: 'provider_unreachable',
  ProviderTimeout: 'provider_timeout',
  ProviderBadResponse: 'provider_bad_response',
} as const;
export type PlatformControlErrorCode = (typeof PlatformControlErrorCode)[keyof typeof PlatformControlErrorCode];

export class PlatformControlException extends AppException {
  constructor(
    status: HttpStatus,
    code: PlatformControlErrorCode,
    detail: string,
    extras: Record<string, unknown> = {},
  ) {
    super(status, code, detail, extras);
  }
}

/** The fail-closed answer of the offline runtime profile: 409 naming what was refused. */
export class OfflineProviderBlockedException extends PlatformControlException {
  constructor(detail: string, providers: { id: string; slug: string; family: string }[] = []) {
    super(HttpStatus.CONFLICT, PlatformControlErrorCode.OfflineProviderBlocked, detail, {
      ...(providers.length > 0 ? { providers } : {}),
    });
  }
}
