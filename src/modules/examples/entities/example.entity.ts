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
import { SessionEntity } from 'src/modules/sessions/entities/session.entity';
import { WorkspaceEntity } from 'src/modules/users/entities/workspace.entity';

export const EXAMPLE_STATUSES = ['queued', 'running', 'ready', 'failed'] as const;
export type ExampleStatus = (typeof EXAMPLE_STATUSES)[number];

export const EXAMPLE_PHASES = ['scan', 'write'] as const;
export type ExamplePhase = (typeof EXAMPLE_PHASES)[number];

/** The build settings, resolved (defaults filled in) when the example is requested. */
export interface ExampleOptions {
  split: 'whole_session' | 'per_assistant_turn';
  failed_tool_calls: 'drop' | 'keep';
  redact_pii: boolean;
  /** Names of the PII patterns applied (empty when `redact_pii` is false). */
  pii_patterns: string[];
  max_messages_per_record: number;
}

export interface ExampleStats {
  records_written: number;
  records_skipped: number;
  skip_reasons: { reason: string; count: number }[];
  dropped: { reason: string; count: number }[];
  redactions: number;
  /** Function names of `tools`, and the called ones the catalog does not define. */
  tools: string[];
  undefined_tools: string[];
}

/**
 * Training data built from one session for one model: a JSONL file of chat fine-tuning records
 * in object storage, built by a job from the session's events up to `(through_seq,
 * through_sub_seq)` (the log's high-water mark when it was requested), so that rebuilding gives
 * the same bytes even while the session grows.
 */
@Entity('examples')
@Index('ix_examples_workspace_created', ['workspaceId', 'createdAt', 'id'])
@Index('ix_examples_workspace_session', ['workspaceId', 'sessionId'])
@Index('ix_examples_workspace_model', ['workspaceId', 'modelId'])
@Index('ix_examples_workspace_suite', ['workspaceId', 'suiteId'])
@Index('ix_examples_unfinished', ['createdAt'], { where: `status IN ('queued', 'running')` })
export class ExampleEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: WorkspaceEntity;

  /** The session's project. */
  @Column({ type: 'uuid' })
  projectId: string;

  @Column({ type: 'uuid' })
  sessionId: string;

  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: SessionEntity;

  /** The session's suite when the example was requested. */
  @Column({ type: 'uuid', nullable: true })
  suiteId: string | null;

  /** The ModelOps model the data is for (models are never removed, only marked deleted). */
  @Column({ type: 'uuid' })
  modelId: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  modelConfiguration: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  options: ExampleOptions;

  @Column({ type: 'bigint' })
  throughSeq: string;

  @Column({ type: 'integer' })
  throughSubSeq: number;

  @Column({ type: 'text', default: 'queued' })
  status: ExampleStatus;

  @Column({ type: 'text', nullable: true })
  phase: ExamplePhase | null;

  /** Events read in the current phase. */
  @Column({ type: 'integer', default: 0 })
  eventsRead: number;

  /** 0 to 100. */
  @Column({ type: 'real', default: 0 })
  progress: number;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'jsonb', nullable: true })
  stats: ExampleStats | null;

  @Column({ type: 'jsonb', nullable: true })
  error: { code: string; message: string } | null;

  @Column({ type: 'text', nullable: true })
  storagePath: string | null;

  @Column({ type: 'bigint', nullable: true })
  sizeBytes: string | null;

  @Column({ type: 'text', nullable: true })
  sha256: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
