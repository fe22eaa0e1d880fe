import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ModelEntity, type ValidationStatus } from './model.entity';

/** One test call of a model: what was sent, an excerpt of the answer, how long it took. */
@Entity('modelops_model_tests')
@Index('ix_modelops_model_tests_model', ['modelId', 'createdAt'])
export class ModelTestEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  modelId: string;

  @ManyToOne(() => ModelEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'model_id' })
  model?: ModelEntity;

  @Column({ type: 'text' })
  status: ValidationStatus;

  /** `cloud`, or the id of the local runtime the test ran on. */
  @Column({ type: 'text' })
  runtimeId: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  input: Record<string, unknown>;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  output: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  error: { code: string; message: string } | null;

  @Column({ type: 'integer' })
  latencyMs: number;

  @Column({ type: 'integer', nullable: true })
  inputTokens: number | null;

  @Column({ type: 'integer', nullable: true })
  outputTokens: number | null;

  @Column({ type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
