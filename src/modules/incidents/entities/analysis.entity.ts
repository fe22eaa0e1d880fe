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

export const ANALYSIS_SOURCES = ['detectors', 'workflow'] as const;
/** `detectors`: this server's detectors ran; `workflow`: a server-side workflow stored its result (PUT). */
export type AnalysisSource = (typeof ANALYSIS_SOURCES)[number];

/** A finding as stored (the API shape), with the incident it was linked to. */
export interface StoredFinding {
  detector: string;
  label: string;
  confidence: number;
  evidence: number[];
  critical_step: number;
  signature: string;
  summary: string;
  incident_id: string | null;
}

/**
 * The current analysis of one session: the findings of the detectors (or of a server-side
 * workflow), the digest of the input they ran on, and the incidents they were linked to.
 * Re-analysis replaces it.
 */
@Entity('analyses')
@Index('uq_analyses_session', ['sessionId'], { unique: true })
@Index('ix_analyses_workspace_updated', ['workspaceId', 'updatedAt'])
export class AnalysisEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  workspace?: WorkspaceEntity;

  @Column({ type: 'uuid' })
  projectId: string;

  @Column({ type: 'uuid' })
  sessionId: string;

  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: SessionEntity;

  @Column({ type: 'text' })
  source: AnalysisSource;

  /** `detectors@1+<hash of the context>`, or the workflow's own version. */
  @Column({ type: 'text' })
  detectorVersion: string;

  /** sha256 over the detector version, the context and the ordered events analysed. */
  @Column({ type: 'text' })
  digest: string;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  labels: string[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  findings: StoredFinding[];

  @Column({ type: 'bigint', nullable: true })
  criticalStep: string | null;

  /** The thresholds the detectors ran with. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  thresholds: Record<string, number>;

  @Column({ type: 'integer', default: 0 })
  eventCount: number;

  /** Highest seq analysed. */
  @Column({ type: 'bigint', default: 0 })
  lastSeq: string;

  /** More events than ANALYSIS_MAX_EVENTS: only the first ones were analysed. */
  @Column({ type: 'boolean', default: false })
  truncated: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
