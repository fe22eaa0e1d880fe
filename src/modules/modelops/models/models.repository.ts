import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Not, Repository, type QueryDeepPartialEntity } from 'typeorm';
import type { WorkspaceRole } from 'src/modules/auth/principal';
import { ModelGrantEntity } from '../sharing/entities/model-grant.entity';
import type { ModelState } from '../lifecycle/model-lifecycle';
import type { Position } from '../modelops.pagination';
import { ModelTestEntity } from './entities/model-test.entity';
import { ModelValidationEntity } from './entities/model-validation.entity';
import { ModelEntity } from './entities/model.entity';

export interface ModelListFilter {
  lifecycleState?: ModelState;
  hosting?: string;
  task?: string;
}

/**
 * Managed models, their validations and tests. Models are platform-wide (not tenant-owned):
 * what a workspace may see is decided by grants, which `listShared`/`getShared` apply.
 * Deleted models are kept for history but no query here returns them unless it says so.
 */
@Injectable()
export class ModelsRepository {
  constructor(
    @InjectRepository(ModelEntity) private readonly models: Repository<ModelEntity>,
    @InjectRepository(ModelValidationEntity) private readonly validations: Repository<ModelValidationEntity>,
    @InjectRepository(ModelTestEntity) private readonly tests: Repository<ModelTestEntity>,
  ) {}

  create(data: Partial<ModelEntity>, manager?: EntityManager): Promise<ModelEntity> {
    const repo = manager ? manager.getRepository(ModelEntity) : this.models;
    return repo.save(repo.create(data));
  }

  getById(id: string): Promise<ModelEntity | null> {
    return this.models.findOneBy({ id, lifecycleState: Not('deleted' as const) });
  }

  /** The row, locked until the transaction ends, so that two transitions never interleave. */
  getByIdForUpdate(id: string, manager: EntityManager): Promise<ModelEntity | null> {
    return manager
      .getRepository(ModelEntity)
      .createQueryBuilder('m')
      .setLock('pessimistic_write')
      .where('m.id = :id AND m.lifecycle_state <> :deleted', { id, deleted: 'deleted' })
      .getOne();
  }

  /** The rows of `ids` that exist (deleted ones included: callers tell them apart). */
  getManyByIds(ids: string[]): Promise<ModelEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.models.findBy({ id: In(ids) });
  }

  list(filter: ModelListFilter, limit: number, after?: Position): Promise<ModelEntity[]> {
    const qb = this.models.createQueryBuilder('m').where('m.lifecycle_state <> :deleted', { deleted: 'deleted' });
    if (filter.lifecycleState) qb.andWhere('m.lifecycle_state = :state', { state: filter.lifecycleState });
    if (filter.hosting) qb.andWhere('m.hosting = :hosting', { hosting: filter.hosting });
    if (filter.task) qb.andWhere('m.task = :task', { task: filter.task });
    return this.page(qb, limit, after);
  }

  /** Active models granted to `workspaceId` (or to every workspace) for one of `roles`. */
  listShared(workspaceId: string, roles: WorkspaceRole[], filter: ModelListFilter, limit: number, after?: Position) {
    const qb = this.sharedQuery(workspaceId, roles);
    if (filter.hosting) qb.andWhere('m.hosting = :hosting', { hosting: filter.hosting });
    if (filter.task) qb.andWhere('m.task = :task', { task: filter.task });
    return this.page(qb, limit, after);
  }

  getShared(id: string, workspaceId: string, roles: WorkspaceRole[]): Promise<ModelEntity | null> {
    return this.sharedQuery(workspaceId, roles).andWhere('m.id = :id', { id }).getOne();
  }

  /** Models (not deleted) that use a credential. */
  listByCredential(credentialId: string): Promise<ModelEntity[]> {
    return this.models.find({
      where: { credentialId, lifecycleState: Not('deleted' as const) },
      order: { name: 'ASC' },
    });
  }

  /** Models (not deleted) whose files are those of a download. */
  listByDownload(downloadId: string): Promise<ModelEntity[]> {
    return this.models.find({ where: { downloadId, lifecycleState: Not('deleted' as const) } });
  }

  /** Ids of the models (not deleted) made from each of the catalog items. */
  async idsByCatalogItem(catalogItemIds: string[]): Promise<Map<string, string[]>> {
    const rows =
      catalogItemIds.length === 0
        ? []
        : await this.models.find({
            select: { id: true, catalogItemId: true },
            where: { catalogItemId: In(catalogItemIds), lifecycleState: Not('deleted' as const) },
            order: { createdAt: 'ASC' },
          });
    const byItem = new Map<string, string[]>();
    for (const row of rows) byItem.set(row.catalogItemId!, [...(byItem.get(row.catalogItemId!) ?? []), row.id]);
    return byItem;
  }

  async update(id: string, patch: QueryDeepPartialEntity<ModelEntity>, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(ModelEntity) : this.models;
    await repo.update({ id }, patch);
  }

  /** Records a validation: it becomes the current one, every earlier one stops being current. */
  async addValidation(data: Partial<ModelValidationEntity>, manager: EntityManager): Promise<ModelValidationEntity> {
    const repo = manager.getRepository(ModelValidationEntity);
    await repo.update({ modelId: data.modelId, isCurrent: true }, { isCurrent: false });
    return repo.save(repo.create({ ...data, isCurrent: true }));
  }

  /** What a validation checked changed: none of the model's validations is current any more. */
  async invalidateValidations(modelIds: string[], manager?: EntityManager): Promise<void> {
    if (modelIds.length === 0) return;
    const m = manager ?? this.models.manager;
    await m
      .getRepository(ModelValidationEntity)
      .update({ modelId: In(modelIds), isCurrent: true }, { isCurrent: false });
    await m.getRepository(ModelEntity).update({ id: In(modelIds) }, { isValidationCurrent: false });
  }

  listValidations(modelId: string, limit: number, after?: Position): Promise<ModelValidationEntity[]> {
    const qb = this.validations.createQueryBuilder('m').where('m.model_id = :modelId', { modelId });
    return this.page(qb, limit, after);
  }

  addTest(data: Partial<ModelTestEntity>): Promise<ModelTestEntity> {
    return this.tests.save(this.tests.create(data));
  }

  listTests(modelId: string, limit: number, after?: Position): Promise<ModelTestEntity[]> {
    const qb = this.tests.createQueryBuilder('m').where('m.model_id = :modelId', { modelId });
    return this.page(qb, limit, after);
  }

  private sharedQuery(workspaceId: string, roles: WorkspaceRole[]) {
    return this.models
      .createQueryBuilder('m')
      .where('m.lifecycle_state = :active', { active: 'active' })
      .andWhere((qb) => {
        const grants = qb
          .subQuery()
          .select('1')
          .from(ModelGrantEntity, 'g')
          .where('g.model_id = m.id')
          .andWhere('(g.workspace_id = :workspaceId OR g.workspace_id IS NULL)', { workspaceId })
          .andWhere('g.min_role IN (:...roles)', { roles })
          .getQuery();
        return `EXISTS ${grants}`;
      });
  }

  /**
   * Newest first, keyset-paged on (created_at to the millisecond, id): JavaScript dates carry
   * milliseconds, so ordering and cursor compare at that precision. One row more than `limit`
   * says a next page exists.
   */
  private page<T extends { createdAt: Date; id: string }>(
    qb: ReturnType<Repository<T>['createQueryBuilder']>,
    limit: number,
    after?: Position,
  ): Promise<T[]> {
    const ms = "date_trunc('milliseconds', m.created_at)";
    if (after) qb.andWhere(`(${ms}, m.id) < (:afterT, :afterId)`, { afterT: after.createdAt, afterId: after.id });
    return qb
      .orderBy(ms, 'DESC')
      .addOrderBy('m.id', 'DESC')
      .limit(limit + 1)
      .getMany();
  }
}
