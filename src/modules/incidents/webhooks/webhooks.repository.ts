import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { idsAfter } from 'src/common/database/ids-after';
import type { WrappedKey } from 'src/modules/modelops/credentials/sealed-key-stores';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { WebhookEntity } from './entities/webhook.entity';
import type { WebhookEventType } from './webhooks.constants';

/** Webhooks of a workspace; every query is filtered by the workspace first, but key rotation's. */
@Injectable()
export class WebhooksRepository {
  constructor(@InjectRepository(WebhookEntity) private readonly rows: Repository<WebhookEntity>) {}

  private repo(manager?: EntityManager): Repository<WebhookEntity> {
    return manager ? manager.getRepository(WebhookEntity) : this.rows;
  }

  getById(workspaceId: string, id: string, manager?: EntityManager): Promise<WebhookEntity | null> {
    return this.repo(manager).findOneBy({ workspaceId, id });
  }

  /** Newest first, keyset-paged on (created_at, id). */
  list(
    workspaceId: string,
    filter: { active?: boolean; before?: { createdAt: Date; id: string } },
    limit: number,
  ): Promise<WebhookEntity[]> {
    const qb = this.rows
      .createQueryBuilder('w')
      .where('w.workspace_id = :workspaceId', { workspaceId })
      .orderBy('w.created_at', 'DESC')
      .addOrderBy('w.id', 'DESC')
      .limit(limit + 1);
    if (filter.active !== undefined) qb.andWhere('w.active = :active', { active: filter.active });
    if (filter.before) qb.andWhere('(w.created_at, w.id) < (:createdAt, :id)', filter.before);
    return qb.getMany();
  }

  countInWorkspace(workspaceId: string, manager?: EntityManager): Promise<number> {
    return this.repo(manager).countBy({ workspaceId });
  }

  /** The active webhooks of the workspace subscribed to `eventType`. */
  listSubscribed(workspaceId: string, eventType: WebhookEventType, manager?: EntityManager): Promise<WebhookEntity[]> {
    return this.repo(manager)
      .createQueryBuilder('w')
      .where('w.workspace_id = :workspaceId', { workspaceId })
      .andWhere('w.active')
      .andWhere(':eventType = ANY (w.events)', { eventType })
      .orderBy('w.created_at', 'ASC')
      .getMany();
  }

  async insert(data: Partial<WebhookEntity>, manager: EntityManager): Promise<WebhookEntity> {
    const repo = manager.getRepository(WebhookEntity);
    return repo.save(repo.create(data));
  }

  async update(
    workspaceId: string,
    id: string,
    patch: QueryDeepPartialEntity<WebhookEntity>,
    manager: EntityManager,
  ): Promise<void> {
    await manager.getRepository(WebhookEntity).update({ workspaceId, id }, patch);
  }

  /** Ids of every workspace's webhooks in order, a batch at a time: for key rotation only. */
  idsAfter(afterId: string | undefined, limit: number): Promise<string[]> {
    return idsAfter(this.rows, afterId, limit);
  }

  /** A webhook's wrapped data key under a row lock, whatever its workspace: for key rotation only. */
  lockWrappedKey(id: string, manager: EntityManager): Promise<WrappedKey | null> {
    return manager
      .getRepository(WebhookEntity)
      .createQueryBuilder('w')
      .select(['w.id', 'w.wrappedDataKey', 'w.kekVersion'])
      .setLock('pessimistic_write')
      .where('w.id = :id', { id })
      .getOne();
  }

  async saveWrappedKey(id: string, key: WrappedKey, manager: EntityManager): Promise<void> {
    await manager
      .getRepository(WebhookEntity)
      .update({ id }, { wrappedDataKey: key.wrappedDataKey, kekVersion: key.kekVersion });
  }

  /** Its deliveries and their attempts go with it (foreign keys cascade). */
  async delete(workspaceId: string, id: string, manager: EntityManager): Promise<void> {
    await manager.getRepository(WebhookEntity).delete({ workspaceId, id });
  }
}
