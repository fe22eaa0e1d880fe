import { HttpStatus, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ValidationAppException } from 'src/common/errors/app.exception';
import { INDEX_NAME_PATTERN } from './dto/data-plane.dto';
import type {
  BindingInputDto,
  BindingResourceDto,
  BindingResponseDto,
  ConfigurationIssueDto,
  ConfigurationStatusDto,
  DeploymentConfigurationStatusDto,
} from './dto/deployment.dto';
import type { BindingResource, DeploymentBindingEntity } from './entities/deployment-binding.entity';
import type { DeploymentEntity } from './entities/deployment.entity';
import type { ProviderEntity } from './entities/provider.entity';
import { type ManagedModel, ModelOpsPort } from './modelops.port';
import { type Capability, MODEL_CAPABILITIES, REQUIRED_CAPABILITIES } from './platform-control.constants';
import { PlatformControlErrorCode, PlatformControlException } from './platform-control.exception';
import { ProvidersRepository } from './providers.repository';

/** A binding input checked and resolved: ready to be stored. */
export interface CheckedBinding {
  capability: Capability;
  provider: ProviderEntity;
  resources: BindingResource[];
  defaultResourceId: string | null;
}

const TASK_OF: Record<string, string> = { llm_inference: 'llm', embeddings: 'embeddings' };

/**
 * The rules of a capability binding (what may be saved) and the readiness metadata of saved
 * ones (what is still incomplete or mismatched, reported without blocking).
 */
@Injectable()
export class BindingRulesService {
  constructor(
    private readonly providers: ProvidersRepository,
    private readonly modelops: ModelOpsPort,
  ) {}

  /**
   * A binding needs a provider that serves the capability. Its resources may be empty; listed
   * models must be bindable in ModelOps (active, current successful validation), of the task the
   * capability runs and hosted where the provider is (cloud or local); the default must be listed.
   */
  async check(capability: Capability, input: BindingInputDto, field: string): Promise<CheckedBinding> {
    const provider = await this.providers.getById(input.provider_id);
    if (!provider?.family) {
      throw new ValidationAppException([
        { field: `${field}.provider_id`, message: `no provider ${input.provider_id}` },
      ]);
    }
    if (provider.capability !== capability) {
      throw invalid(`Provider ${provider.slug} serves ${provider.capability}, not ${capability}`);
    }
    const ids = input.resource_ids ?? [];
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate) throw invalid(`Resource ${duplicate} is listed twice for ${capability}`);
    const defaultId = input.default_resource_id ?? null;
    if (defaultId !== null && !ids.includes(defaultId)) {
      throw invalid(`The default resource ${defaultId} of ${capability} is not one of its resources`);
    }

    if (MODEL_CAPABILITIES.includes(capability)) {
      const notIds = ids.filter((id) => !isUUID(id));
      if (notIds.length > 0) {
        throw new ValidationAppException([
          { field: `${field}.resource_ids`, message: `managed model ids are UUIDs: ${notIds.join(', ')}` },
        ]);
      }
      if (ids.length > 0) await this.modelops.assertBindable(ids);
      const models = await this.modelops.getModels(ids);
      for (const id of ids) {
        const model = models.get(id)!;
        if (model.task !== TASK_OF[capability]) {
          throw invalid(`Model ${model.name} (${id}) is a ${model.task} model and cannot serve ${capability}`);
        }
        if (model.hosting !== provider.family.providerOrigin) {
          throw invalid(
            `Model ${model.name} (${id}) is hosted ${model.hosting}; provider ${provider.slug} is ${provider.family.providerOrigin}`,
          );
        }
      }
      return {
        capability,
        provider,
        resources: ids.map((id) => ({ ref_type: 'managed_model', id })),
        defaultResourceId: defaultId,
      };
    }
    if (capability === 'vector_store') {
      const bad = ids.filter((id) => !INDEX_NAME_PATTERN.test(id));
      if (bad.length > 0) {
        throw new ValidationAppException([
          {
            field: `${field}.resource_ids`,
            message: `index names start with a letter and hold letters, digits and underscores: ${bad.join(', ')}`,
          },
        ]);
      }
      return {
        capability,
        provider,
        resources: ids.map((id) => ({ ref_type: 'vector_index', id })),
        defaultResourceId: defaultId,
      };
    }
    if (ids.length > 0) throw invalid(`${capability} bindings take no resources`);
    return { capability, provider, resources: [], defaultResourceId: null };
  }

  /** The managed models every binding of these deployments lists, by id. */
  modelsOf(deployments: DeploymentEntity[]): Promise<Map<string, ManagedModel>> {
    const ids = deployments.flatMap((d) =>
      (d.bindings ?? []).flatMap((b) => b.resources.filter((r) => r.ref_type === 'managed_model').map((r) => r.id)),
    );
    return this.modelops.getModels([...new Set(ids)]);
  }

  bindingResponse(binding: DeploymentBindingEntity, models: Map<string, ManagedModel>): BindingResponseDto {
    const provider = binding.provider!;
    const resources = binding.resources.map((r) => resourceResponse(r, models));
    return {
      capability: binding.capability,
      provider: {
        id: provider.id,
        slug: provider.slug,
        display_name: provider.displayName,
        family: provider.familyKey,
        provider_origin: provider.family!.providerOrigin,
      },
      resources,
      default_resource_id: binding.defaultResourceId,
      default_resource: resources.find((r) => r.id === binding.defaultResourceId) ?? null,
      resource_policy: { selection: 'listed_only', fallback: 'default_resource' },
      configuration_status: this.bindingStatus(binding, models),
    };
  }

  deploymentStatus(deployment: DeploymentEntity, models: Map<string, ManagedModel>): DeploymentConfigurationStatusDto {
    const bound = new Set((deployment.bindings ?? []).map((b) => b.capability));
    const missing = REQUIRED_CAPABILITIES.filter((c) => !bound.has(c));
    const issues: ConfigurationIssueDto[] = missing.map((capability) => ({
      code: 'missing_provider',
      message: `${capability} is required and has no provider`,
      capability,
    }));
    const statuses = (deployment.bindings ?? []).map((b) => this.bindingStatus(b, models));
    issues.push(...statuses.flatMap((s) => s.issues));
    const status = worst([missing.length > 0 ? 'incomplete' : 'ready', ...statuses.map((s) => s.status)]);
    return { status, issues, missing_capabilities: missing };
  }

  private bindingStatus(binding: DeploymentBindingEntity, models: Map<string, ManagedModel>): ConfigurationStatusDto {
    const capability = binding.capability;
    const issues: (ConfigurationIssueDto & { level: 'incomplete' | 'mismatched' })[] = [];
    const takesResources = MODEL_CAPABILITIES.includes(capability) || capability === 'vector_store';
    if (takesResources && binding.resources.length === 0) {
      issues.push({
        level: 'incomplete',
        code: 'no_resources',
        message: `${capability} lists no resources yet`,
        capability,
      });
    }
    if (takesResources && binding.resources.length > 0 && !binding.defaultResourceId) {
      issues.push({
        level: 'incomplete',
        code: 'no_default',
        message: `${capability} has no default resource`,
        capability,
      });
    }
    for (const resource of binding.resources.filter((r) => r.ref_type === 'managed_model')) {
      const model = models.get(resource.id);
      if (!model || !model.is_bindable) {
        issues.push({
          level: 'mismatched',
          code: 'model_unavailable',
          message: model
            ? `Model ${model.name} (${model.id}) is no longer active with a current successful validation`
            : `Model ${resource.id} no longer exists`,
          capability,
        });
      }
    }
    if (binding.provider?.lastValidationStatus === 'failed') {
      issues.push({
        level: 'mismatched',
        code: 'provider_validation_failed',
        message: `The last validation of provider ${binding.provider.slug} failed`,
        capability,
      });
    }
    return {
      status: worst(issues.map((i) => i.level)),
      issues: issues.map(({ level: _level, ...issue }) => issue),
    };
  }
}

function resourceResponse(resource: BindingResource, models: Map<string, ManagedModel>): BindingResourceDto {
  if (resource.ref_type === 'vector_index') {
    return { ref_type: 'vector_index', id: resource.id, provider_resource_id: resource.id, display_name: resource.id };
  }
  const model = models.get(resource.id);
  return {
    ref_type: 'managed_model',
    id: resource.id,
    managed_model_id: resource.id,
    provider_resource_id: model?.provider_model_id ?? null,
    display_name: model?.name ?? null,
  };
}

function worst(levels: ('ready' | 'incomplete' | 'mismatched')[]): 'ready' | 'incomplete' | 'mismatched' {
  if (levels.includes('mismatched')) return 'mismatched';
  return levels.includes('incomplete') ? 'incomplete' : 'ready';
}

function invalid(detail: string): PlatformControlException {
  return new PlatformControlException(HttpStatus.UNPROCESSABLE_ENTITY, PlatformControlErrorCode.InvalidBinding, detail);
}
