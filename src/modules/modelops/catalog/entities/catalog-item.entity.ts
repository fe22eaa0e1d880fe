import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ModelHosting, ModelTask } from '../../modelops.constants';

/**
 * A curated entry of the model catalog: a model the platform team vetted and that superadmins
 * pick from to download (local) or to register (cloud). Not yet a managed model.
 */
@Entity('modelops_catalog_items')
@Index('uq_modelops_catalog_items_name', ['name'], { unique: true })
export class CatalogItemEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'text' })
  hosting: ModelHosting;

  @Column({ type: 'text' })
  task: ModelTask;

  /** `huggingface` (local) or `openai_compatible` (cloud). */
  @Column({ type: 'text' })
  provider: string;

  /** Hub repository of a local model, e.g. `Qwen/Qwen2.5-0.5B-Instruct`. */
  @Column({ type: 'text', nullable: true })
  sourceId: string | null;

  /** The provider's id of a cloud model. */
  @Column({ type: 'text', nullable: true })
  providerModelId: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @Column({ type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
