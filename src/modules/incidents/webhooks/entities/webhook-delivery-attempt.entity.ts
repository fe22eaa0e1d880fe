import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { WorkspaceEntity } from 'src/modules/users/entities/workspace.entity';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';

/** One POST of a delivery (or one refused before it was sent): the delivery log's rows. */
@Entity('webhook_delivery_attempts')
@Index('uq_webhook_delivery_attempts_number', ['deliveryId', 'attempt'], { unique: true })
export class WebhookDeliveryAttemptEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  workspace?: WorkspaceEntity;

  @Column({ type: 'uuid' })
  deliveryId: string;

  @ManyToOne(() => WebhookDeliveryEntity, { onDelete: 'CASCADE' })
  delivery?: WebhookDeliveryEntity;

  /** 1-based over every run of the delivery (the `Flightdeck-Attempt` header). */
  @Column({ type: 'integer' })
  attempt: number;

  /** The delivery's run this attempt belongs to (1, then one more per redelivery). */
  @Column({ type: 'integer' })
  run: number;

  /** Where it was sent: the webhook's URL at that moment. */
  @Column({ type: 'text' })
  url: string;

  /** The receiver's status code; null when no answer came (network error, timeout, refused target). */
  @Column({ type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ type: 'boolean' })
  succeeded: boolean;

  @Column({ type: 'integer' })
  durationMs: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** The first bytes of the receiver's answer (RESPONSE_EXCERPT_BYTES at most). */
  @Column({ type: 'text', nullable: true })
  responseExcerpt: string | null;

  /** When the next attempt is due after this failed one; null when none follows. */
  @Column({ type: 'timestamptz', nullable: true })
  nextRetryAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  attemptedAt: Date;
}
