import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { RegistryEntryEntity } from 'src/modules/catalog/registry/entities/registry-entry.entity';
import { UserEntity } from 'src/modules/users/entities/user.entity';
import { WorkspaceEntity } from 'src/modules/users/entities/workspace.entity';
import { IncidentEntity } from '../../entities/incident.entity';
import type { PlanStep, ProposalStatus } from '../fix-agent.constants';

/**
 * A fix the fix agent proposed for an incident: a plan and a unified diff against the canonical
 * rendering of one registry version of the affected agent. Applying it (an explicit call) writes
 * the next registry version, once, and only while that version is still the current one.
 */
@Entity('fix_proposals')
@Index('ix_fix_proposals_incident_created', ['workspaceId', 'incidentId', 'createdAt', 'id'])
export class FixProposalEntity {
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

  /** The catalog agent (registry entry) the diff is against. */
  @Column({ type: 'uuid' })
  agentId: string;

  @ManyToOne(() => RegistryEntryEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: RegistryEntryEntity;

  @Column({ type: 'text' })
  agentKey: string;

  /** The registry version the diff was made against. */
  @Column({ type: 'integer' })
  baseVersion: number;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  plan: PlanStep[];

  /** Unified diff of the canonical definition (empty when nothing would change). */
  @Column({ type: 'text' })
  diff: string;

  /** The deterministic plan: no model was asked, or its answer was unusable. */
  @Column({ type: 'boolean' })
  fallback: boolean;

  /** Why it is the fallback (a platform error code or `invalid_model_output`). */
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'text', nullable: true })
  reasonDetail: string | null;

  /** The managed model that answered (also when its answer was unusable). */
  @Column({ type: 'text', nullable: true })
  model: string | null;

  @Column({ type: 'text', default: 'proposed' })
  status: ProposalStatus;

  /** The registry version applying it wrote. */
  @Column({ type: 'integer', nullable: true })
  appliedVersion: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  appliedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  appliedByUserId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  appliedByUser?: UserEntity;

  @Column({ type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  createdByUser?: UserEntity;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
