import { HttpStatus, Injectable } from '@nestjs/common';
import { PlatformControlErrorCode, PlatformControlException } from '../platform-control.exception';
import { VectorDocumentsRepository } from '../vector-documents.repository';
import type { ProviderTarget } from './provider-target';
import { dimensionMismatch } from './qdrant.adapter';
import type { VectorDocument, VectorMatch, VectorStoreAdapter } from './vector-store.adapter';

/**
 * The pgvector_local family: vectors in Flightdeck's own PostgreSQL, scoped by provider
 * instance. No HTTP, so nothing leaves the platform (allowed offline like every local family).
 */
@Injectable()
export class PgvectorAdapter implements VectorStoreAdapter {
  constructor(private readonly store: VectorDocumentsRepository) {}

  async health(target: ProviderTarget): Promise<string> {
    const count = await this.store.countIndexes(target.id);
    return `${count} index(es) in PostgreSQL`;
  }

  async ensureIndex(target: ProviderTarget, index: string, dimension: number) {
    const { index: row, created } = await this.store.ensureIndex(target.id, index, dimension, 'cosine');
    if (row.dimension !== dimension) throw dimensionMismatch(index, row.dimension, dimension);
    return { created, dimension: row.dimension };
  }

  async upsert(target: ProviderTarget, index: string, documents: VectorDocument[]): Promise<number> {
    await this.requireIndex(target, index, documents[0]?.vector.length);
    await this.store.upsert(target.id, index, documents);
    return documents.length;
  }

  async query(target: ProviderTarget, index: string, vector: number[], topK: number): Promise<VectorMatch[]> {
    await this.requireIndex(target, index, vector.length);
    return this.store.query(target.id, index, vector, topK);
  }

  async delete(target: ProviderTarget, index: string, ids: string[]): Promise<number> {
    return this.store.delete(target.id, index, ids);
  }

  /** Like the HTTP stores: an index must be ensured first, and vectors must fit its dimension. */
  private async requireIndex(target: ProviderTarget, index: string, dimension: number | undefined): Promise<void> {
    const row = await this.store.getIndex(target.id, index);
    if (!row) {
      throw new PlatformControlException(
        HttpStatus.NOT_FOUND,
        PlatformControlErrorCode.IndexNotFound,
        `Index ${index} does not exist in provider ${target.slug}; ensure it first`,
        { index },
      );
    }
    if (dimension !== undefined && row.dimension !== dimension)
      throw dimensionMismatch(index, row.dimension, dimension);
  }
}
