import { Injectable } from '@nestjs/common';

/** What an outbound call of ModelOps reaches: the model hub, or a cloud model provider. */
export type EgressKind = 'hub' | 'cloud_provider';

/** Throws (e.g. 409 `offline_provider_blocked`) when the call must not leave the platform. */
export type EgressPolicy = (kind: EgressKind) => void | Promise<void>;

/**
 * The one place ModelOps asks before any call leaves the platform: every hub request
 * (`assert('hub')`) and every cloud validation or test call (`assert('cloud_provider')`).
 *
 * ModelOps does not own the runtime profile (online/offline): platform-control, above it,
 * installs its policy with `setPolicy()` at init. Until one is installed, everything is allowed.
 */
@Injectable()
export class EgressGate {
  private policy: EgressPolicy = () => undefined;

  setPolicy(policy: EgressPolicy): void {
    this.policy = policy;
  }

  async assert(kind: EgressKind): Promise<void> {
    await this.policy(kind);
  }
}
