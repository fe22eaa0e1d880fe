import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { UserEntity } from 'src/modules/users/entities/user.entity';
import { WorkspaceEntity } from 'src/modules/users/entities/workspace.entity';

export const INCIDENT_STATUSES = ['open', 'investigating', 'resolved', 'ignored'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/**
 * A cluster of findings with one fingerprint (sha256 of workspace, detector and signature)
 * across sessions. Counters and lists are kept up to date as sessions are linked; the links
 * themselves are in `incident_sessions`.
 */
@Entity('incidents')
@Index('uq_incidents_fingerprint', ['fingerprint'], { unique: true })
@Index('ix_incidents_workspace_last_seen', ['workspaceId', 'lastSeenAt', 'id'])
export class IncidentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  workspace?: WorkspaceEntity;

  @Column({ type: 'text' })
  fingerprint: string;

  @Column({ type: 'text' })
  detector: string;

  @Column({ type: 'text' })
  label: string;

  @Column({ type: 'text' })
  signature: string;

  /** The summary of the first finding. */
  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text', default: 'open' })
  status: IncidentStatus;

  @Column({ type: 'uuid', nullable: true })
  ownerUserId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  ownerUser?: UserEntity;

  /** Sessions linked. */
  @Column({ type: 'integer', default: 0 })
  occurrenceCount: number;

  /** Millisecond precision: the list's cursor carries it exactly. */
  @Column({ type: 'timestamptz', precision: 3 })
  firstSeenAt: Date;

  @Column({ type: 'timestamptz', precision: 3 })
  lastSeenAt: Date;

  /** Agent names of the linked sessions. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  agents: string[];

  /** `name@version` (or `name` without a version) of the linked sessions. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  agentVersions: string[];

  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  projectIds: string[];

  /** The most recently seen linked sessions, newest first (bounded). */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  sampleSessionIds: string[];

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  reopenedCount: number;

  @Column({ type: 'timestamptz', nullable: true })
  reopenedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
