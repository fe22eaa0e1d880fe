import { Injectable } from '@nestjs/common';

/** Describes, in words an operator reads, each use of a catalog row in one workspace (e.g. `example 5f… (ready)`). */
export type CatalogReferenceLookup = (workspaceId: string, id: string) => Promise<string[]>;

/**
 * Lookups that the modules above catalog (examples, incidents) register at `onModuleInit`, so a
 * suite they reference cannot be deleted (409 `in_use` naming them). Catalog cannot import them.
 * Sessions (`sessions.suite_id`) are checked by catalog itself.
 */
@Injectable()
export class SuiteReferenceRegistry {
  private readonly lookups: CatalogReferenceLookup[] = [];

  register(lookup: CatalogReferenceLookup): void {
    this.lookups.push(lookup);
  }

  async referencesTo(workspaceId: string, suiteId: string): Promise<string[]> {
    const found = await Promise.all(this.lookups.map((lookup) => lookup(workspaceId, suiteId)));
    return [...new Set(found.flat())];
  }
}
