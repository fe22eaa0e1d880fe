import { Column, CreateDateColumn, Entity, ManyToOne, PrimaryColumn } from 'typeorm';
import { ProviderEntity } from './provider.entity';

/** An index of the PostgreSQL-backed vector store (family pgvector_local), per provider instance. */
@Entity('platform_vector_indexes')
export class VectorIndexEntity {
  @PrimaryColumn({ type: 'uuid' })
  providerId: string;

  @ManyToOne(() => ProviderEntity, { onDelete: 'CASCADE' })
  provider?: ProviderEntity;

  @PrimaryColumn({ type: 'text' })
  name: string;

  @Column({ type: 'integer' })
  dimension: number;

  @Column({ type: 'text', default: 'cosine' })
  metric: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
