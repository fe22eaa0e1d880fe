import { HttpStatus, Injectable } from '@nestjs/common';
import { PlatformControlErrorCode, PlatformControlException } from '../platform-control.exception';
import { ProviderCallException, ProviderHttpClient } from './provider-http.client';
import type { ProviderTarget } from './provider-target';
import { dimensionMismatch } from './qdrant.adapter';
import { pointIdFor, type VectorDocument, type VectorMatch, type VectorStoreAdapter } from './vector-store.adapter';

const DIMENSION_TAG = /flightdeck:dimension=(\d+)/;

interface WeaviateHit {
  document_id?: string;
  text?: string | null;
  metadata_json?: string | null;
  _additional?: { id?: string; distance?: number; certainty?: number };
}

/**
 * Weaviate over its documented REST routes: `/v1/schema` (a class with `vectorizer: none`, the
 * vectors come from Flightdeck), `/v1/batch/objects`, `/v1/graphql` with `nearVector`,
 * `DELETE /v1/objects/{class}/{id}`; readiness `GET /v1/.well-known/ready`.
 */
@Injectable()
export class WeaviateAdapter implements VectorStoreAdapter {
  constructor(private readonly http: ProviderHttpClient) {}

  async health(target: ProviderTarget): Promise<string> {
    await this.http.json(target, { method: 'GET', path: '/v1/.well-known/ready' });
    return 'ready';
  }

  async ensureIndex(target: ProviderTarget, index: string, dimension: number) {
    const className = classNameOf(index);
    const existing = await this.http.json<{ description?: string }>(target, {
      method: 'GET',
      path: `/v1/schema/${className}`,
      accept: [404],
    });
    if (existing.status === 200) {
      // Weaviate keeps no dimension for `vectorizer: none`: Flightdeck tags it in the description.
      const tagged = DIMENSION_TAG.exec(existing.body?.description ?? '');
      const stored = tagged ? Number(tagged[1]) : undefined;
      if (stored !== undefined && stored !== dimension) throw dimensionMismatch(index, stored, dimension);
      return { created: false, dimension: stored ?? dimension };
    }
    await this.http.json(target, {
      method: 'POST',
      path: '/v1/schema',
      body: {
        class: className,
        description: `Flightdeck index ${index} flightdeck:dimension=${dimension}`,
        vectorizer: 'none',
        vectorIndexConfig: { distance: 'cosine' },
        properties: [
          { name: 'document_id', dataType: ['text'] },
          { name: 'text', dataType: ['text'] },
          { name: 'metadata_json', dataType: ['text'] },
        ],
      },
    });
    return { created: true, dimension };
  }

  async upsert(target: ProviderTarget, index: string, documents: VectorDocument[]): Promise<number> {
    const className = classNameOf(index);
    const res = await this.http.json<{ result?: { errors?: { error?: { message?: string }[] } } }[]>(target, {
      method: 'POST',
      path: '/v1/batch/objects',
      body: {
        objects: documents.map((doc) => ({
          class: className,
          id: pointIdFor(index, doc.id),
          vector: doc.vector,
          properties: { document_id: doc.id, text: doc.text, metadata_json: JSON.stringify(doc.metadata) },
        })),
      },
    });
    const failed = (Array.isArray(res.body) ? res.body : []).filter((o) => (o.result?.errors?.error?.length ?? 0) > 0);
    if (failed.length > 0) {
      throw new ProviderCallException(
        'upstream',
        target,
        `Provider ${target.slug} refused ${failed.length} of ${documents.length} objects: ${failed[0].result?.errors?.error?.[0]?.message ?? 'error'}`,
      );
    }
    return documents.length;
  }

  async query(target: ProviderTarget, index: string, vector: number[], topK: number): Promise<VectorMatch[]> {
    const className = classNameOf(index);
    const query = `{ Get { ${className}(nearVector: {vector: ${JSON.stringify(vector)}}, limit: ${topK}) { document_id text metadata_json _additional { id distance } } } }`;
    const res = await this.http.json<{
      data?: { Get?: Record<string, WeaviateHit[] | null> };
      errors?: { message?: string }[];
    }>(target, { method: 'POST', path: '/v1/graphql', body: { query } });
    if (res.body?.errors?.length) {
      throw new ProviderCallException(
        'upstream',
        target,
        `Provider ${target.slug} refused the query: ${res.body.errors[0].message ?? 'error'}`,
      );
    }
    const hits = res.body?.data?.Get?.[className];
    if (hits === undefined)
      throw new ProviderCallException('bad_response', target, `Provider ${target.slug} answered without ${className}`);
    return (hits ?? []).map((hit) => ({
      id: hit.document_id ?? hit._additional?.id ?? '',
      // Weaviate reports cosine *distance* (0 = same direction).
      score: 1 - Number(hit._additional?.distance ?? 1),
      text: hit.text ?? null,
      metadata: parseMetadata(hit.metadata_json),
    }));
  }

  async delete(target: ProviderTarget, index: string, ids: string[]): Promise<number> {
    const className = classNameOf(index);
    let deleted = 0;
    for (const id of ids) {
      const res = await this.http.json(target, {
        method: 'DELETE',
        path: `/v1/objects/${className}/${pointIdFor(index, id)}`,
        accept: [404],
      });
      if (res.status !== 404) deleted += 1;
    }
    return deleted;
  }
}

/** Weaviate class names start with a capital letter; index names are validated to fit. */
export function classNameOf(index: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(index)) {
    throw new PlatformControlException(
      HttpStatus.UNPROCESSABLE_ENTITY,
      PlatformControlErrorCode.InvalidBinding,
      `Index name ${index} cannot be a Weaviate class name (letters, digits, underscores; a letter first)`,
    );
  }
  return index[0].toUpperCase() + index.slice(1);
}

function parseMetadata(json: string | null | undefined): Record<string, unknown> {
  if (!json) return {};
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
