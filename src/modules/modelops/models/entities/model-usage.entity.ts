import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ModelEntity } from './model.entity';

export const USAGE_SOURCES = ['inference', 'test'] as const;
export type UsageSource = (typeof USAGE_SOURCES)[number];

/** One call of a model, recorded by the inference path (`ModelUsageService.recordUsage`) or a test. */
@Entity('modelops_model_usage')
@Index('ix_modelops_model_usage_model', ['modelId', 'createdAt'])
export class ModelUsageEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  modelId: string;

  @ManyToOne(() => ModelEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'model_id' })
  model?: ModelEntity;

  /** The workspace the call was made for, when known. */
  @Column({ type: 'uuid', nullable: true })
  workspaceId: string | null;

  @Column({ type: 'text', default: 'inference' })
  source: UsageSource;

  @Column({ type: 'integer', default: 0 })
  inputTokens: number;

  @Column({ type: 'integer', default: 0 })
  outputTokens: number;

  @Column({ type: 'integer' })
  latencyMs: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
