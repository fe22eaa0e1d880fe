import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { VectorIndexEntity } from './entities/vector-index.entity';

export interface StoredVector {
  id: string;
  vector: number[];
  text: string | null;
  metadata: Record<string, unknown>;
}

export interface VectorMatch {
  id: string;
  score: number;
  text: string | null;
  metadata: Record<string, unknown>;
}

/**
 * The PostgreSQL-backed vector store (family pgvector_local). Without the `vector` extension,
 * vectors are float8[] and cosine similarity is computed in SQL: the dot product over
 * `unnest(a, b)` divided by the stored norms. A sequential scan per index: fit for the
 * modest indexes a single-machine install holds.
 */
@Injectable()
export class VectorDocumentsRepository {
  constructor(@InjectRepository(VectorIndexEntity) private readonly indexes: Repository<VectorIndexEntity>) {}

  getIndex(providerId: string, name: string): Promise<VectorIndexEntity | null> {
    return this.indexes.findOneBy({ providerId, name });
  }

  /** Creates the index if it is missing; answers the stored one and whether it was created. */
  async ensureIndex(
    providerId: string,
    name: string,
    dimension: number,
    metric: string,
  ): Promise<{ index: VectorIndexEntity; created: boolean }> {
    const inserted: unknown[] = await this.indexes.query(
      `INSERT INTO platform_vector_indexes (provider_id, name, dimension, metric) VALUES ($1, $2, $3, $4)
       ON CONFLICT (provider_id, name) DO NOTHING RETURNING name`,
      [providerId, name, dimension, metric],
    );
    const index = await this.indexes.findOneByOrFail({ providerId, name });
    return { index, created: inserted.length > 0 };
  }

  async countIndexes(providerId: string): Promise<number> {
    return this.indexes.countBy({ providerId });
  }

  /** Inserts or replaces the documents in one statement. */
  async upsert(providerId: string, indexName: string, documents: StoredVector[]): Promise<void> {
    if (documents.length === 0) return;
    const params: unknown[] = [providerId, indexName];
    const values = documents.map((doc) => {
      const norm = Math.sqrt(doc.vector.reduce((sum, x) => sum + x * x, 0));
      params.push(doc.id, doc.vector, norm, doc.text, JSON.stringify(doc.metadata));
      const n = params.length;
      return `($1, $2, $${n - 4}, $${n - 3}::float8[], $${n - 2}, $${n - 1}, $${n}::jsonb, now())`;
    });
    await this.indexes.query(
      `INSERT INTO platform_vector_documents
         (provider_id, index_name, document_id, embedding, embedding_norm, text, metadata, updated_at)
       VALUES ${values.join(', ')}
       ON CONFLICT (provider_id, index_name, document_id) DO UPDATE
         SET embedding = EXCLUDED.embedding, embedding_norm = EXCLUDED.embedding_norm,
             text = EXCLUDED.text, metadata = EXCLUDED.metadata, updated_at = now()`,
      params,
    );
  }

  /** The `topK` nearest documents by cosine similarity (1 = same direction). */
  async query(providerId: string, indexName: string, vector: number[], topK: number): Promise<VectorMatch[]> {
    const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
    const rows: {
      document_id: string;
      score: number | null;
      text: string | null;
      metadata: Record<string, unknown>;
    }[] = await this.indexes.query(
      `SELECT d.document_id, d.text, d.metadata,
                (SELECT sum(a * b) FROM unnest(d.embedding, $3::float8[]) AS t(a, b))
                  / NULLIF(d.embedding_norm * $4::float8, 0) AS score
           FROM platform_vector_documents d
          WHERE d.provider_id = $1 AND d.index_name = $2
          ORDER BY score DESC NULLS LAST, d.document_id
          LIMIT $5`,
      [providerId, indexName, vector, norm, topK],
    );
    return rows.map((r) => ({ id: r.document_id, score: Number(r.score ?? 0), text: r.text, metadata: r.metadata }));
  }

  async delete(providerId: string, indexName: string, ids: string[]): Promise<number> {
    const rows: { n: number }[] = await this.indexes.query(
      `WITH gone AS (
         DELETE FROM platform_vector_documents
          WHERE provider_id = $1 AND index_name = $2 AND document_id = ANY($3::text[]) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [providerId, indexName, ids],
    );
    return rows[0]?.n ?? 0;
  }
}
