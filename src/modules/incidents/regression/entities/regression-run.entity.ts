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
import { UserEntity } from 'src/modules/users/entities/user.entity';
import { WorkspaceEntity } from 'src/modules/users/entities/workspace.entity';
import { IncidentEntity } from '../../entities/incident.entity';
import type { RegressionResult } from '../regression-result';
import type { RegressionPhase, RegressionRunStatus } from '../regression-runs.constants';

export interface RegressionProgress {
  phase: RegressionPhase;
  /** Sessions counted so far (both sides). */
  done: number;
  /** Sessions to count (both sides); 0 until the run has listed them. */
  total: number;
}

/**
 * A regression run of an incident: its rate among the sessions of the agent version(s) that
 * produced it (before) and among those of a newer version (after), counted by a job.
 */
@Entity('regression_runs')
@Index('ix_regression_runs_incident_created', ['workspaceId', 'incidentId', 'createdAt', 'id'])
export class RegressionRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  workspace?: WorkspaceEntity;

  @Column({ type: 'uuid' })
  incidentId: string;

  @ManyToOne(() => IncidentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id' })
  incident?: IncidentEntity;

  @Column({ type: 'text' })
  agentName: string;

  /** The versions that produced the incident (before). */
  @Column({ type: 'text', array: true })
  baselineVersions: string[];

  /** The newer version (after). */
  @Column({ type: 'text' })
  candidateVersion: string;

  /** Sessions that started in [since, until) only; null: unbounded. */
  @Column({ type: 'timestamptz', nullable: true })
  since: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  until: Date | null;

  @Column({ type: 'text', default: 'queued' })
  status: RegressionRunStatus;

  /** Always written with the row (the default only keeps the column total). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  progress: RegressionProgress;

  @Column({ type: 'jsonb', nullable: true })
  result: RegressionResult | null;

  @Column({ type: 'boolean', nullable: true })
  regressed: boolean | null;

  @Column({ type: 'boolean', nullable: true })
  improved: boolean | null;

  @Column({ type: 'jsonb', nullable: true })
  error: { code: string; message: string } | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  createdByUser?: UserEntity;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
