import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { WorkspaceEntity } from 'src/modules/users/entities/workspace.entity';
import type { WebhookEventType } from '../webhooks.constants';

/**
 * An endpoint of a workspace that receives the events it subscribed to, signed with its own
 * secret. The secret is envelope-encrypted (AES-256-GCM) like ModelOps credentials: the
 * ciphertexts are bound to the row id, the data key is wrapped by the key-encryption key
 * `kekVersion` names.
 */
@Entity('webhooks')
@Index('ix_webhooks_workspace_created', ['workspaceId', 'createdAt', 'id'])
export class WebhookEntity {
  /** Generated before encryption: the secret's ciphertexts are bound to it. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  workspace?: WorkspaceEntity;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text', array: true })
  events: WebhookEventType[];

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** What responses show of the secret, e.g. `whsec_...Ab3x`. */
  @Column({ type: 'text' })
  secretHint: string;

  @Column({ type: 'bytea' })
  secretCiphertext: Buffer;

  @Column({ type: 'bytea' })
  wrappedDataKey: Buffer;

  @Column({ type: 'text' })
  kekVersion: string;

  /** When the signing secret was created or last rotated. */
  @Column({ type: 'timestamptz' })
  secretRotatedAt: Date;

  @Column({ type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
