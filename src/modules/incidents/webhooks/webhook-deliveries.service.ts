import { HttpStatus, Injectable } from '@nestjs/common';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { decodeCursor, toPage } from 'src/common/pagination/cursor';
import { assertProjectWritable, type Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { WebhookDeliveryQueue } from './delivery/webhook-delivery.queue';
import {
  ListWebhookDeliveriesQueryDto,
  WebhookDeliveryAttemptDto,
  WebhookDeliveryPageDto,
  WebhookDeliveryResponseDto,
} from './dto/webhook-delivery.dto';
import { WebhookDeliveryAttemptEntity } from './entities/webhook-delivery-attempt.entity';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookPublisher } from './webhook-publisher';
import { WebhooksErrorCode, WebhooksException } from './webhooks.exception';
import { WebhooksService } from './webhooks.service';

/** The delivery log of a webhook, test pings and redeliveries. */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly publisher: WebhookPublisher,
    private readonly queue: WebhookDeliveryQueue,
    private readonly audit: AuditLogService,
  ) {}

  /** Newest first, each with its attempts in order. */
  async list(
    principal: Principal,
    webhookId: string,
    query: ListWebhookDeliveriesQueryDto,
  ): Promise<WebhookDeliveryPageDto> {
    await this.webhooks.getEntity(principal, webhookId);
    const before = query.cursor ? decodeCursor<{ t: string; id: string }>(query.cursor, ['t', 'id']) : undefined;
    const rows = await this.deliveries.list(
      principal.workspaceId,
      webhookId,
      {
        status: query.status,
        eventType: query.event_type,
        before: before && { createdAt: new Date(before.t), id: before.id },
      },
      query.limit,
    );
    const page = toPage(rows, query.limit, (row) => ({ t: row.createdAt.toISOString(), id: row.id }));
    const attempts = await this.deliveries.attemptsOf(
      principal.workspaceId,
      page.data.map((row) => row.id),
    );
    return {
      data: page.data.map((row) => this.toResponse(row, attempts.get(row.id) ?? [])),
      next_cursor: page.next_cursor,
    };
  }

  async get(principal: Principal, webhookId: string, deliveryId: string): Promise<WebhookDeliveryResponseDto> {
    const row = await this.getEntity(principal, webhookId, deliveryId);
    const attempts = await this.deliveries.attemptsOf(principal.workspaceId, [row.id]);
    return this.toResponse(row, attempts.get(row.id) ?? []);
  }

  /** Queues a `ping` to the webhook (active or not); answered before it is sent. */
  async ping(principal: Principal, webhookId: string): Promise<WebhookDeliveryResponseDto> {
    assertProjectWritable(principal, null);
    const webhook = await this.webhooks.getEntity(principal, webhookId);
    return this.toResponse(await this.publisher.ping(webhook), []);
  }

  /**
   * Sends a finished delivery again, as a new run of the same delivery: same id and body (so a
   * receiver that already handled it can tell), attempt numbers go on. 409 while still pending.
   */
  async redeliver(principal: Principal, webhookId: string, deliveryId: string): Promise<WebhookDeliveryResponseDto> {
    assertProjectWritable(principal, null);
    await this.getEntity(principal, webhookId, deliveryId);
    const restarted = await this.deliveries.restart(principal.workspaceId, deliveryId);
    if (!restarted) {
      throw new WebhooksException(
        HttpStatus.CONFLICT,
        WebhooksErrorCode.DeliveryInProgress,
        `Delivery ${deliveryId} is still being attempted; redeliver it once it succeeded or failed`,
      );
    }
    await this.audit.record(principal, {
      workspaceId: principal.workspaceId,
      action: 'webhook.delivery.redelivered',
      targetType: 'webhook_delivery',
      targetId: deliveryId,
      data: { webhook_id: webhookId, run: restarted.run, event_type: restarted.eventType },
    });
    await this.queue.enqueueOrDefer([restarted]);
    return this.get(principal, webhookId, deliveryId);
  }

  private async getEntity(principal: Principal, webhookId: string, deliveryId: string): Promise<WebhookDeliveryEntity> {
    await this.webhooks.getEntity(principal, webhookId);
    const row = await this.deliveries.getById(principal.workspaceId, webhookId, deliveryId);
    if (!row) throw new NotFoundAppException('Webhook delivery', deliveryId);
    return row;
  }

  private toResponse(row: WebhookDeliveryEntity, attempts: WebhookDeliveryAttemptEntity[]): WebhookDeliveryResponseDto {
    return {
      id: row.id,
      webhook_id: row.webhookId,
      event_id: row.eventId,
      event_type: row.eventType,
      status: row.status,
      attempt_count: row.attemptCount,
      next_attempt_at: row.nextAttemptAt?.toISOString() ?? null,
      last_status_code: row.lastStatusCode,
      last_error: row.lastError,
      payload: JSON.parse(row.body) as Record<string, unknown>,
      attempts: attempts.map((a) => this.toAttempt(a)),
      created_at: row.createdAt.toISOString(),
      completed_at: row.completedAt?.toISOString() ?? null,
    };
  }

  private toAttempt(row: WebhookDeliveryAttemptEntity): WebhookDeliveryAttemptDto {
    return {
      attempt: row.attempt,
      run: row.run,
      url: row.url,
      status_code: row.statusCode,
      succeeded: row.succeeded,
      duration_ms: row.durationMs,
      error: row.error,
      response_body_excerpt: row.responseExcerpt,
      next_retry_at: row.nextRetryAt?.toISOString() ?? null,
      attempted_at: row.attemptedAt.toISOString(),
    };
  }
}
