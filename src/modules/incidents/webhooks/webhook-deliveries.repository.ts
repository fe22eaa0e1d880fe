import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { WebhookDeliveryAttemptEntity } from './entities/webhook-delivery-attempt.entity';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import type { DeliveryStatus } from './webhooks.constants';

export interface DeliveryFilter {
  status?: DeliveryStatus;
  eventType?: string;
  /** Keyset position of the previous page's last row (newest first). */
  before?: { createdAt: Date; id: string };
}

/** Deliveries and their attempts (the delivery log). */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(
    @InjectRepository(WebhookDeliveryEntity) private readonly deliveries: Repository<WebhookDeliveryEntity>,
    @InjectRepository(WebhookDeliveryAttemptEntity)
    private readonly attempts: Repository<WebhookDeliveryAttemptEntity>,
  ) {}

  async insertMany(rows: Partial<WebhookDeliveryEntity>[], manager?: EntityManager): Promise<void> {
    if (rows.length === 0) return;
    await (manager ?? this.deliveries.manager)
      .createQueryBuilder()
      .insert()
      .into(WebhookDeliveryEntity)
      .values(rows)
      .execute();
  }

  getById(workspaceId: string, webhookId: string, id: string): Promise<WebhookDeliveryEntity | null> {
    return this.deliveries.findOneBy({ workspaceId, webhookId, id });
  }

  /** For the delivery job, which carries only the id (the row names its workspace). */
  getForAttempt(id: string): Promise<WebhookDeliveryEntity | null> {
    return this.deliveries.findOneBy({ id });
  }

  list(workspaceId: string, webhookId: string, filter: DeliveryFilter, limit: number) {
    const qb = this.deliveries
      .createQueryBuilder('d')
      .where('d.workspace_id = :workspaceId', { workspaceId })
      .andWhere('d.webhook_id = :webhookId', { webhookId })
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(limit + 1);
    if (filter.status) qb.andWhere('d.status = :status', { status: filter.status });
    if (filter.eventType) qb.andWhere('d.event_type = :eventType', { eventType: filter.eventType });
    if (filter.before) qb.andWhere('(d.created_at, d.id) < (:createdAt, :id)', filter.before);
    return qb.getMany();
  }

  /** The attempts of each delivery, in order. */
  async attemptsOf(workspaceId: string, deliveryIds: string[]): Promise<Map<string, WebhookDeliveryAttemptEntity[]>> {
    const byDelivery = new Map<string, WebhookDeliveryAttemptEntity[]>(deliveryIds.map((id) => [id, []]));
    if (deliveryIds.length === 0) return byDelivery;
    const rows = await this.attempts.find({
      where: { workspaceId, deliveryId: In(deliveryIds) },
      order: { attempt: 'ASC' },
    });
    for (const row of rows) byDelivery.get(row.deliveryId)?.push(row);
    return byDelivery;
  }

  /** Writes the attempt and moves the delivery on in one transaction. */
  async recordAttempt(
    attempt: Partial<WebhookDeliveryAttemptEntity>,
    deliveryId: string,
    patch: QueryDeepPartialEntity<WebhookDeliveryEntity>,
  ): Promise<void> {
    await this.deliveries.manager.transaction(async (manager) => {
      await manager.getRepository(WebhookDeliveryAttemptEntity).insert(attempt);
      await manager.getRepository(WebhookDeliveryEntity).update({ id: deliveryId }, patch);
    });
  }

  /** Ends a delivery without an attempt (its webhook was switched off meanwhile). */
  async markFailed(id: string, run: number, error: string): Promise<void> {
    await this.deliveries.update(
      { id, run, status: 'pending' },
      { status: 'failed', lastError: error, nextAttemptAt: null, completedAt: new Date() },
    );
  }

  /**
   * Starts the next run of a finished delivery (a redelivery). Null when it is still pending, so
   * two attempts of the same delivery never run at once.
   */
  async restart(workspaceId: string, id: string): Promise<WebhookDeliveryEntity | null> {
    const result = await this.deliveries
      .createQueryBuilder()
      .update(WebhookDeliveryEntity)
      .set({
        status: 'pending',
        run: () => 'run + 1',
        runAttemptCount: 0,
        nextAttemptAt: () => 'now()',
        completedAt: null,
      })
      .where('workspace_id = :workspaceId AND id = :id AND status <> :pending', { workspaceId, id, pending: 'pending' })
      .returning('id')
      .execute();
    return (result.raw as unknown[]).length > 0 ? this.deliveries.findOneBy({ workspaceId, id }) : null;
  }

  /** Pending deliveries across workspaces, oldest first, after `after` (resume on start). */
  listPending(limit: number, after?: { createdAt: Date; id: string }): Promise<WebhookDeliveryEntity[]> {
    const qb = this.deliveries
      .createQueryBuilder('d')
      .where("d.status = 'pending'")
      .orderBy('d.created_at', 'ASC')
      .addOrderBy('d.id', 'ASC')
      .limit(limit);
    if (after) qb.andWhere('(d.created_at, d.id) > (:createdAt, :id)', after);
    return qb.getMany();
  }
}
