import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { VectorIndexEntity } from './vector-index.entity';

/**
 * A vector of the PostgreSQL-backed store. The `vector` extension is not installed on the
 * engines Flightdeck runs on (system PostgreSQL 15, embedded engine), so vectors are float8[]
 * with their norm kept beside them; cosine similarity is computed in SQL.
 */
@Entity('platform_vector_documents')
export class VectorDocumentEntity {
  @PrimaryColumn({ type: 'uuid' })
  providerId: string;

  @PrimaryColumn({ type: 'text' })
  indexName: string;

  @ManyToOne(() => VectorIndexEntity, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'provider_id', referencedColumnName: 'providerId' },
    { name: 'index_name', referencedColumnName: 'name' },
  ])
  index?: VectorIndexEntity;

  @PrimaryColumn({ type: 'text' })
  documentId: string;

  @Column({ type: 'float8', array: true })
  embedding: number[];

  @Column({ type: 'float8' })
  embeddingNorm: number;

  @Column({ type: 'text', nullable: true })
  text: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
