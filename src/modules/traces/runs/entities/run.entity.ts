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
import type { RunSource, RunStatus } from '../runs.types';

/** An attachment of a run, kept in object storage (never handed out as a URL). */
export interface RunAttachmentRef {
  storage_path: string;
  content_type: string;
  size: number;
  sha256: string;
}

/**
 * A LangSmith-style span. Runs of one trace belong to one session (session id = trace id), in
 * that session's project; creating and ending a run also appended events to that session's log.
 * `status` is derived: end_time + error → failed, end_time → completed, else running.
 *
 * Indexes lead with workspace_id (every query filters by it first): runs of a trace in time
 * order (hierarchy), root runs by time, per project too (dashboard lists). `dotted_order` is
 * not indexed: it grows with depth past what a b-tree entry may hold.
 */
@Entity('runs')
@Index('ix_runs_workspace_trace', ['workspaceId', 'traceId', 'startTime'])
@Index('ix_runs_workspace_roots', ['workspaceId', 'startTime'], { where: 'parent_run_id IS NULL' })
@Index('ix_runs_workspace_project_roots', ['workspaceId', 'projectId', 'startTime'], {
  where: 'parent_run_id IS NULL',
})
export class RunEntity {
  /** The client's id (uuid7 from the LangSmith SDK). */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  workspaceId: string;

  @Column({ type: 'uuid' })
  projectId: string;

  /** The trace's session: equal to trace_id. */
  @Column({ type: 'uuid' })
  sessionId: string;

  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: SessionEntity;

  @Column({ type: 'uuid' })
  traceId: string;

  @Column({ type: 'uuid', nullable: true })
  parentRunId: string | null;

  @Column({ type: 'text', nullable: true })
  dottedOrder: string | null;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  runType: string;

  @Column({ type: 'text' })
  status: RunStatus;

  @Column({ type: 'timestamptz' })
  startTime: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endTime: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  inputs: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  outputs: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'jsonb', nullable: true })
  extra: Record<string, unknown> | null;

  @Column({ type: 'text', array: true, nullable: true })
  tags: string[] | null;

  /** LangSmith's run events (e.g. streamed tokens), as sent. */
  @Column({ type: 'jsonb', nullable: true })
  events: unknown[] | null;

  @Column({ type: 'jsonb', nullable: true })
  serialized: Record<string, unknown> | null;

  @Column({ type: 'uuid', nullable: true })
  referenceExampleId: string | null;

  /** Attachments by name (multipart `attachment.<run id>.<name>` parts). */
  @Column({ type: 'jsonb', nullable: true })
  attachments: Record<string, RunAttachmentRef> | null;

  @Column({ type: 'text' })
  source: RunSource;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
