import { HttpStatus, Injectable } from '@nestjs/common';
import { PlatformControlErrorCode, PlatformControlException } from '../platform-control.exception';
import { ProviderCallException, ProviderHttpClient } from './provider-http.client';
import type { ProviderTarget } from './provider-target';
import { pointIdFor, type VectorDocument, type VectorMatch, type VectorStoreAdapter } from './vector-store.adapter';

interface QdrantCollection {
  result?: { config?: { params?: { vectors?: { size?: number } | Record<string, { size?: number }> } } };
}
interface QdrantPoint {
  id: string | number;
  score?: number;
  payload?: { document_id?: string; text?: string | null; metadata?: Record<string, unknown> };
}

/**
 * Qdrant over its documented REST routes: `PUT /collections/{name}`, `PUT .../points`,
 * `POST .../points/search`, `POST .../points/delete`; health `GET /healthz`.
 */
@Injectable()
export class QdrantAdapter implements VectorStoreAdapter {
  constructor(private readonly http: ProviderHttpClient) {}

  async health(target: ProviderTarget): Promise<string> {
    const res = await this.http.json<string>(target, { method: 'GET', path: '/healthz', accept: [404], parse: 'text' });
    if (res.status !== 404) return 'healthz check passed';
    // Older Qdrant has no /healthz: listing collections proves it answers (and the key works).
    await this.http.json(target, { method: 'GET', path: '/collections' });
    return 'collections listed';
  }

  async ensureIndex(target: ProviderTarget, index: string, dimension: number) {
    const path = `/collections/${encodeURIComponent(index)}`;
    const existing = await this.http.json<QdrantCollection>(target, { method: 'GET', path, accept: [404] });
    if (existing.status === 200) {
      const vectors = existing.body?.result?.config?.params?.vectors;
      const size = vectors && typeof vectors.size === 'number' ? vectors.size : undefined;
      if (size !== undefined && size !== dimension) throw dimensionMismatch(index, size, dimension);
      return { created: false, dimension: size ?? dimension };
    }
    await this.http.json(target, { method: 'PUT', path, body: { vectors: { size: dimension, distance: 'Cosine' } } });
    return { created: true, dimension };
  }

  async upsert(target: ProviderTarget, index: string, documents: VectorDocument[]): Promise<number> {
    await this.http.json(target, {
      method: 'PUT',
      path: `/collections/${encodeURIComponent(index)}/points`,
      query: { wait: 'true' },
      body: {
        points: documents.map((doc) => ({
          id: pointIdFor(index, doc.id),
          vector: doc.vector,
          payload: { document_id: doc.id, text: doc.text, metadata: doc.metadata },
        })),
      },
    });
    return documents.length;
  }

  async query(target: ProviderTarget, index: string, vector: number[], topK: number): Promise<VectorMatch[]> {
    const res = await this.http.json<{ result?: QdrantPoint[] }>(target, {
      method: 'POST',
      path: `/collections/${encodeURIComponent(index)}/points/search`,
      body: { vector, limit: topK, with_payload: true },
    });
    if (!Array.isArray(res.body?.result)) throw badResponse(target, 'search');
    return res.body.result.map((point) => ({
      id: point.payload?.document_id ?? String(point.id),
      score: Number(point.score ?? 0),
      text: point.payload?.text ?? null,
      metadata: point.payload?.metadata ?? {},
    }));
  }

  async delete(target: ProviderTarget, index: string, ids: string[]): Promise<number> {
    const base = `/collections/${encodeURIComponent(index)}/points`;
    const pointIds = ids.map((id) => pointIdFor(index, id));
    // Qdrant's delete does not say how many points existed: retrieve them first to count.
    const existing = await this.http.json<{ result?: QdrantPoint[] }>(target, {
      method: 'POST',
      path: base,
      body: { ids: pointIds, with_payload: false, with_vector: false },
    });
    await this.http.json(target, {
      method: 'POST',
      path: `${base}/delete`,
      query: { wait: 'true' },
      body: { points: pointIds },
    });
    return Array.isArray(existing.body?.result) ? existing.body.result.length : 0;
  }
}

export function dimensionMismatch(index: string, stored: number, requested: number) {
  return new PlatformControlException(
    HttpStatus.CONFLICT,
    PlatformControlErrorCode.DimensionMismatch,
    `Index ${index} holds vectors of dimension ${stored}, not ${requested}`,
    { index, dimension: stored },
  );
}

function badResponse(target: ProviderTarget, what: string) {
  return new ProviderCallException(
    'bad_response',
    target,
    `Provider ${target.slug} answered the ${what} with an unexpected body`,
  );
}
