import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ActivationOutcome = 'activated' | 'rejected';

/**
 * Every activation attempt, accepted or refused, with its preflight result. History outlives
 * deployments: ids are kept without foreign keys and the slug is copied.
 */
@Entity('platform_activation_audit')
@Index('ix_platform_activation_audit_created', ['createdAt', 'id'])
export class ActivationAuditEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  deploymentId: string;

  @Column({ type: 'text' })
  deploymentSlug: string;

  /** The deployment that was active when the attempt was made. */
  @Column({ type: 'uuid', nullable: true })
  previousDeploymentId: string | null;

  @Column({ type: 'text' })
  outcome: ActivationOutcome;

  /** Why a rejected attempt was refused (the problem code). */
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** The preflight: one entry per bound provider. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  preflight: Record<string, unknown>[];

  @Column({ type: 'uuid', nullable: true })
  actorUserId: string | null;

  @Column({ type: 'uuid', nullable: true })
  actorApiKeyId: string | null;

  @Column({ type: 'text', nullable: true })
  requestId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
