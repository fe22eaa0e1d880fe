import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { CredentialEntity } from '../../credentials/entities/credential.entity';
import { DownloadEntity } from '../../downloads/entities/download.entity';
import type { ModelState } from '../../lifecycle/model-lifecycle';
import type { ModelHosting, ModelTask } from '../../modelops.constants';

export const VALIDATION_STATUSES = ['success', 'failure'] as const;
export type ValidationStatus = (typeof VALIDATION_STATUSES)[number];

/**
 * A managed model (platform-wide): a cloud model behind an OpenAI-compatible endpoint, or a local
 * model whose files were downloaded from the hub. Its lifecycle is `model-lifecycle.ts`.
 */
@Entity('modelops_models')
@Index('uq_modelops_models_name', ['name'], { unique: true, where: `lifecycle_state <> 'deleted'` })
@Index('ix_modelops_models_state', ['lifecycleState', 'createdAt'])
export class ModelEntity {
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

  /** `openai_compatible` for cloud models, `huggingface` for downloaded ones. */
  @Column({ type: 'text' })
  provider: string;

  /** OpenAI-compatible API base of a cloud model, e.g. `https://api.openai.com/v1`. */
  @Column({ type: 'text', nullable: true })
  baseUrl: string | null;

  /** The provider's id of the model (cloud), e.g. `gpt-4o-mini`. */
  @Column({ type: 'text', nullable: true })
  providerModelId: string | null;

  @Column({ type: 'uuid', nullable: true })
  credentialId: string | null;

  @ManyToOne(() => CredentialEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'credential_id' })
  credential?: CredentialEntity;

  /** The completed download holding a local model's files. */
  @Column({ type: 'uuid', nullable: true })
  downloadId: string | null;

  @ManyToOne(() => DownloadEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'download_id' })
  download?: DownloadEntity;

  /** Hub repository (`org/name`) and the commit its files were pinned to. */
  @Column({ type: 'text', nullable: true })
  sourceId: string | null;

  @Column({ type: 'text', nullable: true })
  sourceCommit: string | null;

  @Column({ type: 'uuid', nullable: true })
  catalogItemId: string | null;

  @Column({ type: 'text', default: 'created' })
  lifecycleState: ModelState;

  /** False until a validation succeeds, and again whenever what it checked changes. */
  @Column({ type: 'boolean', default: false })
  isValidationCurrent: boolean;

  @Column({ type: 'text', nullable: true })
  lastValidationStatus: ValidationStatus | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastValidatedAt: Date | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @Column({ type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
