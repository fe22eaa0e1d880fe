import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ModelEntity, type ValidationStatus } from './model.entity';

/** One validation run of a model; only the newest may be current, and only until what it checked changes. */
@Entity('modelops_model_validations')
@Index('ix_modelops_model_validations_model', ['modelId', 'createdAt'])
export class ModelValidationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  modelId: string;

  @ManyToOne(() => ModelEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'model_id' })
  model?: ModelEntity;

  @Column({ type: 'text' })
  status: ValidationStatus;

  @Column({ type: 'boolean', default: true })
  isCurrent: boolean;

  /** What was checked (`cloud_models_endpoint`, `local_files`) and what was found. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  details: Record<string, unknown>;

  /** Why it failed: `{ code, message }`. */
  @Column({ type: 'jsonb', nullable: true })
  error: { code: string; message: string } | null;

  @Column({ type: 'integer' })
  durationMs: number;

  @Column({ type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
