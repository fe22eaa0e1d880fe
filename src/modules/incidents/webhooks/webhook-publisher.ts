import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { WebhookDeliveryQueue } from './delivery/webhook-delivery.queue';
import type { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import type { WebhookEntity } from './entities/webhook.entity';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhooksRepository } from './webhooks.repository';
import { type DeliveryEventType, PING_EVENT, type WebhookEventType } from './webhooks.constants';

/**
 * What other modules call to tell a workspace's webhooks that something happened:
 *
 *   await publisher.publish(workspaceId, 'incident.opened', { incident: {...} });
 *
 * Every active webhook of the workspace subscribed to the event gets one delivery: the rows are
 * stored first (one statement), then queued, so an event that was published is never lost.
 * Every delivery of one event carries the same body:
 * `{ id, type, created_at, workspace_id, data }`.
 */
@Injectable()
export class WebhookPublisher {
  private readonly logger = new Logger(WebhookPublisher.name);

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly queue: WebhookDeliveryQueue,
  ) {}

  /** Whether any active webhook of the workspace listens to `eventType` (skip building costly payloads). */
  async hasSubscribers(workspaceId: string, eventType: WebhookEventType): Promise<boolean> {
    return (await this.webhooks.listSubscribed(workspaceId, eventType)).length > 0;
  }

  /** Stores and queues one delivery per subscribed webhook; resolves with their number. */
  async publish(workspaceId: string, eventType: WebhookEventType, data: Record<string, unknown>): Promise<number> {
    const targets = await this.webhooks.listSubscribed(workspaceId, eventType);
    if (targets.length === 0) return 0;
    const rows = await this.store(targets, eventType, data);
    await this.queue.enqueueOrDefer(rows);
    this.logger.log(`${eventType} for workspace ${workspaceId}: ${rows.length} webhook deliveries queued`);
    return rows.length;
  }

  /** A `ping` delivery to one webhook (its test button), subscribed or not. */
  async ping(webhook: WebhookEntity): Promise<WebhookDeliveryEntity> {
    const [row] = await this.store([webhook], PING_EVENT, {
      webhook: { id: webhook.id, url: webhook.url, events: webhook.events },
      zen: 'Signed, sealed, delivered.',
    });
    await this.queue.enqueue(row);
    return row;
  }

  private async store(
    targets: WebhookEntity[],
    eventType: DeliveryEventType,
    data: Record<string, unknown>,
  ): Promise<WebhookDeliveryEntity[]> {
    const eventId = randomUUID();
    const createdAt = new Date();
    const body = JSON.stringify({
      id: eventId,
      type: eventType,
      created_at: createdAt.toISOString(),
      workspace_id: targets[0].workspaceId,
      data,
    });
    const rows = targets.map((webhook): WebhookDeliveryEntity => ({
      id: randomUUID(),
      workspaceId: webhook.workspaceId,
      webhookId: webhook.id,
      eventId,
      eventType,
      body,
      status: 'pending',
      run: 1,
      attemptCount: 0,
      runAttemptCount: 0,
      nextAttemptAt: createdAt,
      lastStatusCode: null,
      lastError: null,
      createdAt,
      updatedAt: createdAt,
      completedAt: null,
    }));
    await this.deliveries.insertMany(rows);
    return rows;
  }
}
