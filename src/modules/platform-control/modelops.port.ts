import { Injectable } from '@nestjs/common';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import type { Principal } from 'src/modules/auth/principal';
import { CredentialsService } from 'src/modules/modelops/credentials/credentials.service';
import { EgressGate, type EgressPolicy } from 'src/modules/modelops/egress/egress-gate';
import { ModelUsageService } from 'src/modules/modelops/models/model-usage.service';
import { type ManagedModel as ModelOpsModel, ModelsService } from 'src/modules/modelops/models/models.service';
import {
  CredentialReferenceRegistry,
  ModelReferenceRegistry,
  type ReferenceLookup,
} from 'src/modules/modelops/references/model-reference.registry';
import { ModelRuntimeRegistry, type RuntimeLookup } from 'src/modules/modelops/runtimes/model-runtime.registry';

/** What platform-control reads of a ModelOps managed model. */
export type ManagedModel = Pick<
  ModelOpsModel,
  | 'id'
  | 'name'
  | 'hosting'
  | 'task'
  | 'source_id'
  | 'provider_model_id'
  | 'lifecycle_state'
  | 'is_bindable'
  | 'metadata'
>;

export interface ModelCallUsage {
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
}

/**
 * Everything platform-control uses of ModelOps (the layer below), in one place: model reads and
 * the bindability rule, secret resolution, usage, and the hooks ModelOps asks upper layers to
 * fill (egress policy, reference and runtime lookups).
 */
@Injectable()
export class ModelOpsPort {
  constructor(
    private readonly models: ModelsService,
    private readonly credentials: CredentialsService,
    private readonly usage: ModelUsageService,
    private readonly egress: EgressGate,
    private readonly modelReferences: ModelReferenceRegistry,
    private readonly credentialReferences: CredentialReferenceRegistry,
    private readonly runtimes: ModelRuntimeRegistry,
  ) {}

  /** 422 `unknown_models` / 409 `model_not_bindable` naming every id that is not active with a current successful validation. */
  async assertBindable(modelIds: string[]): Promise<void> {
    await this.models.assertBindable(modelIds);
  }

  /** The models that exist (missing and deleted ones are absent), by id. */
  async getModels(modelIds: string[]): Promise<Map<string, ManagedModel>> {
    const found = await Promise.all([...new Set(modelIds)].map((id) => this.models.getManagedModel(id).catch(absent)));
    return new Map(found.filter((m): m is ModelOpsModel => m !== null).map((m) => [m.id, m]));
  }

  /** Whether the caller may use the model (ModelOps sharing: superadmins all, others what is shared with them). */
  async canUse(principal: Principal, modelId: string): Promise<boolean> {
    return (await this.models.get(principal, modelId).catch(absent)) !== null;
  }

  /** The decrypted secret: only for provider validation, preflight and runtime dispatch. */
  resolveSecret(credentialId: string): Promise<string> {
    return this.credentials.resolveSecret(credentialId);
  }

  recordUsage(modelId: string, usage: ModelCallUsage, workspaceId: string | null): Promise<void> {
    return this.usage.recordUsage(modelId, usage, { workspaceId, source: 'inference' });
  }

  installEgressPolicy(policy: EgressPolicy): void {
    this.egress.setPolicy(policy);
  }

  registerModelReferences(lookup: ReferenceLookup): void {
    this.modelReferences.register(lookup);
  }

  registerCredentialReferences(lookup: ReferenceLookup): void {
    this.credentialReferences.register(lookup);
  }

  registerRuntimes(lookup: RuntimeLookup): void {
    this.runtimes.register(lookup);
  }
}

function absent(err: unknown): null {
  if (err instanceof NotFoundAppException) return null;
  throw err;
}
