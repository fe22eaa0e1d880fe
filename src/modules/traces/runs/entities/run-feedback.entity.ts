import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { SessionEntity } from 'src/modules/sessions/entities/session.entity';

/**
 * LangSmith feedback on a run (`POST /api/v1/feedback`, multipart `feedback.<id>` parts). It is
 * also appended as a `feedback` event to the run's session, so replay and analysis see it.
 * Feedback on a run not stored yet keeps `session_id` null until the run arrives.
 */
@Entity('run_feedback')
@Index('ix_run_feedback_run', ['workspaceId', 'runId'])
@Index('ix_run_feedback_created', ['workspaceId', 'createdAt', 'id'])
export class RunFeedbackEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  workspaceId: string;

  /** The run's project; null while the run is not stored yet. */
  @Column({ type: 'uuid', nullable: true })
  projectId: string | null;

  @Column({ type: 'uuid' })
  runId: string;

  @Column({ type: 'uuid', nullable: true })
  traceId: string | null;

  /** The run's session; null while the run is not stored yet. */
  @Column({ type: 'uuid', nullable: true })
  sessionId: string | null;

  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: SessionEntity;

  /** The pinned project of the key that sent it: it attaches only to a run there. */
  @Column({ type: 'uuid', nullable: true })
  pinnedProjectId: string | null;

  @Column({ type: 'text' })
  key: string;

  /** A number; booleans are stored as 1 / 0. */
  @Column({ type: 'double precision', nullable: true })
  score: number | null;

  @Column({ type: 'jsonb', nullable: true })
  value: unknown;

  @Column({ type: 'text', nullable: true })
  comment: string | null;

  @Column({ type: 'jsonb', nullable: true })
  correction: unknown;

  @Column({ type: 'jsonb', nullable: true })
  feedbackSource: Record<string, unknown> | null;

  /** Other fields the client sent (comparative_experiment_id, feedback_config, ...). */
  @Column({ type: 'jsonb', nullable: true })
  extra: Record<string, unknown> | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  modifiedAt: Date;
}
