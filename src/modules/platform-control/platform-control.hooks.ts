import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ModelRuntimeTarget, RuntimeLookupModel } from 'src/modules/modelops/runtimes/model-runtime.registry';
import type { AdvertisedModel } from './adapters/openai-compatible.adapter';
import { toProviderTarget } from './adapters/provider-target';
import { DeploymentsRepository } from './deployments.repository';
import { ModelOpsPort } from './modelops.port';
import { CREDENTIAL_REF_PREFIX } from './platform-control.constants';
import { OfflineProviderBlockedException } from './platform-control.exception';
import { ProviderChecksService } from './provider-checks.service';
import { ProvidersRepository } from './providers.repository';
import { RuntimeProfileRepository } from './runtime-profile.repository';

/**
 * What platform-control plugs into ModelOps (the layer below, which cannot import it) at init:
 * - the egress policy: offline, hub discovery/downloads and cloud calls of ModelOps fail closed;
 * - who uses a managed model (deployment bindings, loaded-model slots), so ModelOps refuses to
 *   deactivate, unregister or delete it;
 * - who uses a saved credential (provider secret refs), so ModelOps refuses to delete it;
 * - the local runtimes a model can be tested on (provider instances and their slots).
 */
@Injectable()
export class PlatformControlHooks implements OnModuleInit {
  private readonly logger = new Logger(PlatformControlHooks.name);

  constructor(
    private readonly modelops: ModelOpsPort,
    private readonly runtimeProfile: RuntimeProfileRepository,
    private readonly deployments: DeploymentsRepository,
    private readonly providers: ProvidersRepository,
    private readonly checks: ProviderChecksService,
  ) {}

  onModuleInit(): void {
    this.modelops.installEgressPolicy(async (kind) => {
      if ((await this.runtimeProfile.mode()) === 'online') return;
      throw new OfflineProviderBlockedException(
        kind === 'hub'
          ? 'The runtime profile is offline: the model hub cannot be reached'
          : 'The runtime profile is offline: calls to cloud model providers are blocked',
      );
    });
    this.modelops.registerModelReferences((modelId) => this.modelReferences(modelId));
    this.modelops.registerCredentialReferences(async (credentialId) =>
      (await this.providers.slugsUsingCredential(credentialId)).map(
        (slug) => `provider "${slug}" (secret_refs ${CREDENTIAL_REF_PREFIX}${credentialId})`,
      ),
    );
    this.modelops.registerRuntimes((model) => this.runtimesFor(model));
  }

  private async modelReferences(modelId: string): Promise<string[]> {
    const bindings = await this.deployments.usesOfModel(modelId);
    const slots = await this.providers.withLoadedModel(modelId);
    return [
      ...bindings.map((b) => `deployment "${b.deployment_slug}" (${b.capability}${b.is_active ? ', active' : ''})`),
      ...slots.map((p) => `provider "${p.slug}" (loaded-model slot)`),
    ];
  }

  /**
   * Local OpenAI-compatible runtimes of the model's task, with what each advertises now. The
   * runtime's key (when it has one) is resolved for ModelOps' test call only.
   */
  private async runtimesFor(model: RuntimeLookupModel): Promise<ModelRuntimeTarget[]> {
    if (model.hosting !== 'local') return [];
    const capability = model.task === 'embeddings' ? 'embeddings' : 'llm_inference';
    const rows = await this.providers.localModelRuntimes(capability);
    return Promise.all(
      rows.map(async (provider) => {
        const target = toProviderTarget(provider, provider.family!);
        let advertised: AdvertisedModel[] = [];
        let reachable = true;
        try {
          advertised = await this.checks.inventory(target, true);
        } catch (err) {
          reachable = false;
          this.logger.warn(
            `Runtime ${provider.slug} did not list its models: ${err instanceof Error ? err.message : 'error'}`,
          );
        }
        const runtimeModelId = reachable
          ? this.checks.runtimeModelId(target, model, advertised, provider.loadedModelId)
          : null;
        const apiKeyRef = provider.secretRefs?.api_key;
        const apiKey = apiKeyRef?.startsWith(CREDENTIAL_REF_PREFIX)
          ? await this.modelops.resolveSecret(apiKeyRef.slice(CREDENTIAL_REF_PREFIX.length)).catch(() => undefined)
          : undefined;
        return {
          id: provider.id,
          provider: provider.familyKey,
          display_name: provider.displayName,
          base_url: provider.endpointUrl ?? '',
          slot_state: slotState(reachable, provider.loadedModelId, model.id, runtimeModelId),
          loaded_model_id: provider.loadedModelId,
          runtime_model_id: runtimeModelId,
          advertised: advertised.map((a) => ({ id: a.id, owned_by: a.owned_by ?? null })),
          serving: runtimeModelId !== null,
          ...(apiKey ? { api_key: apiKey } : {}),
        };
      }),
    );
  }
}

/** `loading`: the slot holds this model but the runtime does not advertise it yet. */
function slotState(
  reachable: boolean,
  loadedModelId: string | null,
  modelId: string,
  runtimeModelId: string | null,
): string {
  if (!reachable) return 'error';
  if (!loadedModelId) return 'empty';
  return loadedModelId !== modelId || runtimeModelId ? 'loaded' : 'loading';
}
