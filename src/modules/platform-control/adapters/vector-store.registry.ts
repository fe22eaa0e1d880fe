import { Injectable } from '@nestjs/common';
import { PgvectorAdapter } from './pgvector.adapter';
import type { ProviderTarget } from './provider-target';
import { QdrantAdapter } from './qdrant.adapter';
import type { VectorStoreAdapter } from './vector-store.adapter';
import { WeaviateAdapter } from './weaviate.adapter';

/** The vector-store adapter of a target's family. */
@Injectable()
export class VectorStoreRegistry {
  constructor(
    private readonly qdrant: QdrantAdapter,
    private readonly weaviate: WeaviateAdapter,
    private readonly pgvector: PgvectorAdapter,
  ) {}

  for(target: ProviderTarget): VectorStoreAdapter {
    switch (target.adapter) {
      case 'qdrant':
        return this.qdrant;
      case 'weaviate':
        return this.weaviate;
      case 'pgvector':
        return this.pgvector;
      case 'openai_compatible':
      case 'mcp_gateway':
      case 'sandbox':
        throw new Error(`Family ${target.family} is not a vector store`);
    }
  }
}
