import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { WorkspaceEntity } from 'src/modules/users/entities/workspace.entity';
import type { DeliveryEventType, DeliveryStatus } from '../webhooks.constants';
import { WebhookEntity } from './webhook.entity';

/**
 * One event for one webhook. Its id is the `Flightdeck-Delivery` header, the same on every
 * attempt and redelivery, so that receivers can drop what they already handled. The row is
 * written before the job is queued: a delivery that was accepted is never lost, only delayed
 * (pending rows are queued again when a process starts).
 */
@Entity('webhook_deliveries')
@Index('ix_webhook_deliveries_webhook_created', ['webhookId', 'createdAt', 'id'])
@Index('ix_webhook_deliveries_pending', ['createdAt'], { where: "status = 'pending'" })
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  workspace?: WorkspaceEntity;

  @Column({ type: 'uuid' })
  webhookId: string;

  @ManyToOne(() => WebhookEntity, { onDelete: 'CASCADE' })
  webhook?: WebhookEntity;

  /** The event's id (the body's `id`): the same in the deliveries of one event to several webhooks. */
  @Column({ type: 'uuid' })
  eventId: string;

  @Column({ type: 'text' })
  eventType: DeliveryEventType;

  /** The exact JSON body sent (and signed) on every attempt. */
  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'text', default: 'pending' })
  status: DeliveryStatus;

  /** 1, then incremented by each redelivery; a job of another run steps aside. */
  @Column({ type: 'integer', default: 1 })
  run: number;

  /** Attempts over every run; the next attempt's number is this plus one. */
  @Column({ type: 'integer', default: 0 })
  attemptCount: number;

  /** Attempts of the current run, bounded by WEBHOOKS_MAX_ATTEMPTS. */
  @Column({ type: 'integer', default: 0 })
  runAttemptCount: number;

  /** When the next attempt is due while pending. */
  @Column({ type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ type: 'integer', nullable: true })
  lastStatusCode: number | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  /** When it succeeded or failed for good. */
  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
