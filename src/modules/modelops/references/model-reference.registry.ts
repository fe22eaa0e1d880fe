import { Injectable } from '@nestjs/common';

/** Describes, in words an operator reads, each use of the id (e.g. `deployment "prod" (llm_inference)`). */
export type ReferenceLookup = (id: string) => Promise<string[]>;

/** Lookups registered by the layers above ModelOps, asked together. */
abstract class ReferenceRegistry {
  private readonly lookups: ReferenceLookup[] = [];

  /** Call at `onModuleInit` of the module that holds references. */
  register(lookup: ReferenceLookup): void {
    this.lookups.push(lookup);
  }

  /** Every use of `id` that any registered lookup reports, deduplicated, in order. */
  async referencesTo(id: string): Promise<string[]> {
    const found = await Promise.all(this.lookups.map((lookup) => lookup(id)));
    return [...new Set(found.flat())];
  }
}

/**
 * Who uses a managed model. ModelOps sits below platform-control and cannot query its deployment
 * bindings, so platform-control registers `async (modelId) => string[]` here; a model with any
 * reference cannot be deactivated, unregistered or deleted (409 `model_in_use` naming them).
 */
@Injectable()
export class ModelReferenceRegistry extends ReferenceRegistry {}

/**
 * Who uses a saved credential besides ModelOps' own models (e.g. provider instances whose secret
 * refs read `modelops://credential/<id>`). A credential with any reference cannot be deleted.
 */
@Injectable()
export class CredentialReferenceRegistry extends ReferenceRegistry {}
