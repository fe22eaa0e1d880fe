import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { SessionEntity } from 'src/modules/sessions/entities/session.entity';
import { IncidentEntity } from './incident.entity';

/**
 * A session linked to an incident by one of its findings. One row per (incident, session): a
 * re-analysis of the session never counts it twice. Regression runs read the sessions of an
 * incident, by agent version, from here.
 */
@Entity('incident_sessions')
@Index('ix_incident_sessions_session', ['sessionId'])
@Index('ix_incident_sessions_incident_seen', ['incidentId', 'seenAt'])
export class IncidentSessionEntity {
  @PrimaryColumn({ type: 'uuid' })
  incidentId: string;

  @ManyToOne(() => IncidentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id' })
  incident?: IncidentEntity;

  @PrimaryColumn({ type: 'uuid' })
  sessionId: string;

  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: SessionEntity;

  @Column({ type: 'uuid' })
  workspaceId: string;

  @Column({ type: 'uuid' })
  projectId: string;

  @Column({ type: 'text' })
  agentName: string;

  @Column({ type: 'text', nullable: true })
  agentVersion: string | null;

  @Column({ type: 'real' })
  confidence: number;

  @Column({ type: 'bigint' })
  criticalStep: string;

  /** When the session was last active (its last event), which orders samples and decides reopening. */
  @Column({ type: 'timestamptz', precision: 3 })
  seenAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
