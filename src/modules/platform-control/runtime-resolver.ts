import { HttpStatus, Injectable } from '@nestjs/common';
import { toProviderTarget, type ProviderTarget } from './adapters/provider-target';
import { DeploymentsRepository } from './deployments.repository';
import type { DeploymentBindingEntity } from './entities/deployment-binding.entity';
import { type ManagedModel, ModelOpsPort } from './modelops.port';
import type { Capability, ModelCapability, ProviderOrigin } from './platform-control.constants';
import {
  OfflineProviderBlockedException,
  PlatformControlErrorCode,
  PlatformControlException,
} from './platform-control.exception';
import { ProviderChecksService } from './provider-checks.service';
import { RuntimeProfileRepository } from './runtime-profile.repository';

/** The provider a runtime call goes to, as runtime payloads name it (no endpoint, no secrets). */
export interface RuntimeProvider {
  id: string;
  slug: string;
  display_name: string;
  family: string;
  provider_origin: ProviderOrigin;
}

export interface ResolvedModelRuntime {
  deployment: { id: string; slug: string };
  capability: ModelCapability;
  provider: RuntimeProvider;
  /** For the adapters: secret references only, resolved by the HTTP client per call. */
  target: ProviderTarget;
  model: {
    /** The managed model id (what usage is recorded under). */
    id: string;
    name: string;
    hosting: 'cloud' | 'local';
    /** The id the provider serves it under (the `model` sent upstream). */
    runtime_model_id: string;
  };
}

export interface ResolvedVectorRuntime {
  deployment: { id: string; slug: string };
  provider: RuntimeProvider;
  target: ProviderTarget;
  /** The index (a resource of the active vector_store binding). */
  index: string;
}

/**
 * Resolves runtime calls against the active deployment, for this module's routes and for the
 * modules above (incidents, examples): the capability's bound provider, and the requested model
 * when the binding lists it, else the binding's default. Models outside the binding are refused
 * (409 `model_not_bound`), and offline a cloud provider is refused (409 `offline_provider_blocked`).
 */
@Injectable()
export class PlatformRuntimeResolver {
  constructor(
    private readonly deployments: DeploymentsRepository,
    private readonly runtimeProfile: RuntimeProfileRepository,
    private readonly modelops: ModelOpsPort,
    private readonly checks: ProviderChecksService,
  ) {}

  /** `model`: a managed model id (or name) of the binding; absent: the binding's default. */
  async resolve(capability: ModelCapability, options: { model?: string } = {}): Promise<ResolvedModelRuntime> {
    const binding = await this.activeBinding(capability);
    const target = await this.targetOf(binding);
    const boundIds = binding.resources.filter((r) => r.ref_type === 'managed_model').map((r) => r.id);
    const models = await this.modelops.getModels(boundIds);
    const model = this.pick(capability, binding, boundIds, models, options.model);
    let runtimeModelId: string | null;
    if (model.hosting === 'cloud' && target.origin === 'cloud') {
      runtimeModelId = this.checks.runtimeModelId(target, model, null, null);
    } else {
      const advertised = await this.checks.inventory(target);
      runtimeModelId = this.checks.runtimeModelId(target, model, advertised, binding.provider!.loadedModelId);
    }
    if (!runtimeModelId) {
      throw new PlatformControlException(
        HttpStatus.CONFLICT,
        PlatformControlErrorCode.ModelNotServed,
        `Provider ${target.slug} does not serve model ${model.name} (${model.id}) now; load it into the provider's slot`,
        { model: model.id, provider: target.slug },
      );
    }
    return {
      deployment: { id: binding.deployment!.id, slug: binding.deployment!.slug },
      capability,
      provider: providerOf(binding),
      target,
      model: { id: model.id, name: model.name, hosting: model.hosting, runtime_model_id: runtimeModelId },
    };
  }

  /** `index`: an index of the active vector_store binding; absent: the binding's default. */
  async resolveVectorStore(options: { index?: string } = {}): Promise<ResolvedVectorRuntime> {
    const binding = await this.activeBinding('vector_store');
    const target = await this.targetOf(binding);
    const indexes = binding.resources.filter((r) => r.ref_type === 'vector_index').map((r) => r.id);
    const index = options.index ?? binding.defaultResourceId;
    if (!index) {
      throw new PlatformControlException(
        HttpStatus.CONFLICT,
        PlatformControlErrorCode.CapabilityNotConfigured,
        `The vector_store binding of deployment ${binding.deployment!.slug} has no default index; name one`,
      );
    }
    if (!indexes.includes(index)) {
      throw new PlatformControlException(
        HttpStatus.CONFLICT,
        PlatformControlErrorCode.IndexNotBound,
        `Index ${index} is not bound in the active deployment ${binding.deployment!.slug} (bound: ${indexes.join(', ') || 'none'})`,
        { index, allowed: indexes },
      );
    }
    return {
      deployment: { id: binding.deployment!.id, slug: binding.deployment!.slug },
      provider: providerOf(binding),
      target,
      index,
    };
  }

  private async activeBinding(capability: Capability): Promise<DeploymentBindingEntity> {
    const binding = await this.deployments.getActiveBinding(capability);
    if (binding?.provider?.family && binding.deployment) return binding;
    const active = await this.deployments.getActive();
    if (!active) {
      throw new PlatformControlException(
        HttpStatus.CONFLICT,
        PlatformControlErrorCode.NoActiveDeployment,
        'No deployment profile is active; activate one first',
      );
    }
    throw new PlatformControlException(
      HttpStatus.CONFLICT,
      PlatformControlErrorCode.CapabilityNotConfigured,
      `The active deployment ${active.slug} has no ${capability} binding`,
    );
  }

  private async targetOf(binding: DeploymentBindingEntity): Promise<ProviderTarget> {
    const target = toProviderTarget(binding.provider!, binding.provider!.family!);
    if (target.origin === 'cloud' && (await this.runtimeProfile.mode()) !== 'online') {
      throw new OfflineProviderBlockedException(
        `The runtime profile is offline: ${binding.capability} is bound to cloud provider ${target.slug}`,
        [{ id: target.id, slug: target.slug, family: target.family }],
      );
    }
    return target;
  }

  private pick(
    capability: Capability,
    binding: DeploymentBindingEntity,
    boundIds: string[],
    models: Map<string, ManagedModel>,
    requested: string | undefined,
  ): ManagedModel {
    let id: string | null;
    if (requested === undefined) {
      id = binding.defaultResourceId;
      if (!id) {
        throw new PlatformControlException(
          HttpStatus.CONFLICT,
          PlatformControlErrorCode.CapabilityNotConfigured,
          `The ${capability} binding of deployment ${binding.deployment!.slug} has no default model; name one`,
        );
      }
    } else {
      id = boundIds.includes(requested)
        ? requested
        : (boundIds.find((boundId) => models.get(boundId)?.name === requested) ?? null);
      if (!id) {
        throw new PlatformControlException(
          HttpStatus.CONFLICT,
          PlatformControlErrorCode.ModelNotBound,
          `Model ${requested} is not bound to ${capability} in the active deployment ${binding.deployment!.slug}`,
          { model: requested },
        );
      }
    }
    const model = models.get(id);
    if (!model || !model.is_bindable) {
      throw new PlatformControlException(
        HttpStatus.CONFLICT,
        PlatformControlErrorCode.ModelNotBound,
        `Model ${model?.name ?? id} of the ${capability} binding is no longer active with a current successful validation`,
        { model: id },
      );
    }
    return model;
  }
}

function providerOf(binding: DeploymentBindingEntity): RuntimeProvider {
  const provider = binding.provider!;
  return {
    id: provider.id,
    slug: provider.slug,
    display_name: provider.displayName,
    family: provider.familyKey,
    provider_origin: provider.family!.providerOrigin,
  };
}
