import { createHash } from 'node:crypto';
import type { ProviderTarget } from './provider-target';

export interface VectorDocument {
  id: string;
  vector: number[];
  text: string | null;
  metadata: Record<string, unknown>;
}

export interface VectorMatch {
  id: string;
  /** Cosine similarity: 1 is the same direction. */
  score: number;
  text: string | null;
  metadata: Record<string, unknown>;
}

/** What every vector-store family offers, in provider-neutral terms. */
export interface VectorStoreAdapter {
  /** A cheap call that proves the store answers; resolves to a short description. */
  health(target: ProviderTarget): Promise<string>;
  ensureIndex(
    target: ProviderTarget,
    index: string,
    dimension: number,
  ): Promise<{ created: boolean; dimension: number }>;
  upsert(target: ProviderTarget, index: string, documents: VectorDocument[]): Promise<number>;
  query(target: ProviderTarget, index: string, vector: number[], topK: number): Promise<VectorMatch[]>;
  /** Resolves to the number of documents that existed and were removed. */
  delete(target: ProviderTarget, index: string, ids: string[]): Promise<number>;
}

/**
 * A stable UUID for a document id, for stores whose point ids must be UUIDs (Qdrant, Weaviate);
 * the original id travels in the payload.
 */
export function pointIdFor(index: string, documentId: string): string {
  const hex = createHash('sha256').update(`${index}\u0000${documentId}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
