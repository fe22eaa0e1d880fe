import { Injectable } from '@nestjs/common';
import { CredentialsService } from 'src/modules/modelops/credentials/credentials.service';
import { ModelsService } from 'src/modules/modelops/models/models.service';
import {
  CredentialReferenceRegistry,
  ModelReferenceRegistry,
  type ReferenceLookup,
} from 'src/modules/modelops/references/model-reference.registry';

/**
 * Everything catalog uses of ModelOps, in one place. ModelOps only imports users, so catalog may
 * sit beside it: MCP servers name its credentials (`modelops://credential/<id>`) and agent/model
 * specs name its managed models. Catalog registers who uses which, so ModelOps refuses to delete
 * a credential or model still in use.
 */
@Injectable()
export class CatalogModelOpsPort {
  constructor(
    private readonly models: ModelsService,
    private readonly credentials: CredentialsService,
    private readonly modelReferences: ModelReferenceRegistry,
    private readonly credentialReferences: CredentialReferenceRegistry,
  ) {}

  /** The ids of `ids` that name existing (not deleted) managed models. */
  async existingModels(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    return new Set((await this.models.getMany(ids)).map((m) => m.id));
  }

  /** Active with a current successful validation: what a runtime may bind. */
  isBindable(modelId: string): Promise<boolean> {
    return this.models.isBindable(modelId);
  }

  /** The ids of `ids` that name saved credentials (never their secrets). */
  async existingCredentials(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const wanted = new Set(ids.map((id) => id.toLowerCase()));
    return new Set((await this.credentials.list()).map((c) => c.id).filter((id) => wanted.has(id)));
  }

  registerModelReferences(lookup: ReferenceLookup): void {
    this.modelReferences.register(lookup);
  }

  registerCredentialReferences(lookup: ReferenceLookup): void {
    this.credentialReferences.register(lookup);
  }
}
