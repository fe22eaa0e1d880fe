import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { ProjectEntity } from 'src/modules/users/entities/project.entity';
import { WorkspaceEntity } from 'src/modules/users/entities/workspace.entity';

export const SESSION_SOURCES = ['sdk', 'upload', 'langsmith', 'otlp'] as const;
export type SessionSource = (typeof SESSION_SOURCES)[number];
export const SESSION_STATUSES = ['running', 'completed', 'failed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** One agent run, however it arrived. Its events are the ordered log in `events`. */
@Entity('sessions')
@Index('ix_sessions_workspace_created', ['workspaceId', 'createdAt', 'id'])
@Index('ix_sessions_workspace_agent', ['workspaceId', 'agentName', 'agentVersion', 'createdAt'])
@Index('uq_sessions_client_key', ['workspaceId', 'projectId', 'clientKey'], {
  unique: true,
  where: 'client_key IS NOT NULL',
})
export class SessionEntity {
  /** Client-supplied (SDK retries converge on it) or generated. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  workspace?: WorkspaceEntity;

  @Column({ type: 'uuid' })
  projectId: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  project?: ProjectEntity;

  /** The catalog suite the run was made against (the catalog module owns suites). */
  @Column({ type: 'uuid', nullable: true })
  suiteId: string | null;

  @Column({ type: 'text' })
  source: SessionSource;

  @Column({ type: 'text', default: 'running' })
  status: SessionStatus;

  @Column({ type: 'text' })
  agentName: string;

  @Column({ type: 'text', nullable: true })
  agentVersion: string | null;

  /** The SDK's idempotency key for the creation call. */
  @Column({ type: 'text', nullable: true })
  clientKey: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  /** Highest client `seq` stored: a new event must come above it. */
  @Column({ type: 'bigint', default: 0 })
  lastSeq: string;

  /** Sub-position of the last operator/system note placed at `lastSeq`. */
  @Column({ type: 'integer', default: 0 })
  lastSubSeq: number;

  @Column({ type: 'integer', default: 0 })
  eventCount: number;

  /** Where an uploaded JSONL file is kept in object storage. */
  @Column({ type: 'text', nullable: true })
  inputStoragePath: string | null;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastEventAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
