import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { EntityManager, Repository } from 'typeorm';
import { MAX_NAMED_REFERENCES } from '../catalog.constants';
import { SuiteActionEntity } from './entities/suite-action.entity';
import { SuiteEntity } from './entities/suite.entity';

export interface SuiteRow extends SuiteEntity {
  actionCount: number;
}

/** Suites and their actions; every query is filtered by the workspace first. */
@Injectable()
export class SuitesRepository {
  constructor(
    @InjectRepository(SuiteEntity) private readonly suites: Repository<SuiteEntity>,
    @InjectRepository(SuiteActionEntity) private readonly actions: Repository<SuiteActionEntity>,
  ) {}

  /** A page by name (names are unique per workspace), with each suite's action count. */
  async list(workspaceId: string, limit: number, afterName?: string): Promise<SuiteRow[]> {
    const qb = this.suites
      .createQueryBuilder('s')
      .where('s.workspace_id = :workspaceId', { workspaceId })
      .orderBy('s.name', 'ASC')
      .limit(limit + 1);
    if (afterName !== undefined) qb.andWhere('s.name > :afterName', { afterName });
    const rows = await qb.getMany();
    return this.withCounts(workspaceId, rows);
  }

  getById(workspaceId: string, id: string, manager?: EntityManager): Promise<SuiteEntity | null> {
    return (manager?.getRepository(SuiteEntity) ?? this.suites).findOneBy({ workspaceId, id });
  }

  async getWithCount(workspaceId: string, id: string): Promise<SuiteRow | null> {
    const row = await this.getById(workspaceId, id);
    return row ? (await this.withCounts(workspaceId, [row]))[0] : null;
  }

  /**
   * Locks the suite row for the rest of the transaction: `write` for a delete, `share` for an
   * action write, so an action is never added to a suite being deleted.
   */
  lock(workspaceId: string, id: string, manager: EntityManager, mode: 'write' | 'share'): Promise<SuiteEntity | null> {
    return manager
      .getRepository(SuiteEntity)
      .createQueryBuilder('s')
      .setLock(mode === 'write' ? 'pessimistic_write' : 'pessimistic_read')
      .where('s.workspace_id = :workspaceId AND s.id = :id', { workspaceId, id })
      .getOne();
  }

  insert(data: Partial<SuiteEntity>, manager: EntityManager): Promise<SuiteEntity> {
    const repo = manager.getRepository(SuiteEntity);
    return repo.save(repo.create(data));
  }

  async update(workspaceId: string, id: string, data: Partial<SuiteEntity>, manager: EntityManager): Promise<void> {
    await manager.getRepository(SuiteEntity).update({ workspaceId, id }, data as QueryDeepPartialEntity<SuiteEntity>);
  }

  async delete(workspaceId: string, id: string, manager: EntityManager): Promise<void> {
    await manager.getRepository(SuiteEntity).delete({ workspaceId, id });
  }

  /**
   * Sessions recorded against the suite (`sessions.suite_id`). The sessions module sits above
   * catalog, so this reads its table by name rather than through its repository; sessions keep a
   * plain column (uploads may name a suite defined later), so this check is what guards deletes.
   */
  async sessionReferences(
    workspaceId: string,
    suiteId: string,
    manager: EntityManager,
  ): Promise<{ count: number; ids: string[] }> {
    const rows: { id: string; total: number }[] = await manager.query(
      `SELECT id::text, count(*) OVER ()::int AS total FROM sessions
        WHERE workspace_id = $1 AND suite_id = $2 ORDER BY created_at DESC, id LIMIT $3`,
      [workspaceId, suiteId, MAX_NAMED_REFERENCES],
    );
    return { count: rows[0]?.total ?? 0, ids: rows.map((r) => r.id) };
  }

  listActions(workspaceId: string, suiteId: string, limit: number, afterName?: string): Promise<SuiteActionEntity[]> {
    const qb = this.actions
      .createQueryBuilder('a')
      .where('a.workspace_id = :workspaceId AND a.suite_id = :suiteId', { workspaceId, suiteId })
      .orderBy('a.name', 'ASC')
      .limit(limit + 1);
    if (afterName !== undefined) qb.andWhere('a.name > :afterName', { afterName });
    return qb.getMany();
  }

  /** Every action of the suite by name (readers building tool lists). */
  allActions(workspaceId: string, suiteId: string): Promise<SuiteActionEntity[]> {
    return this.actions.find({ where: { workspaceId, suiteId }, order: { name: 'ASC' } });
  }

  getAction(workspaceId: string, suiteId: string, id: string): Promise<SuiteActionEntity | null> {
    return this.actions.findOneBy({ workspaceId, suiteId, id });
  }

  insertAction(data: Partial<SuiteActionEntity>, manager: EntityManager): Promise<SuiteActionEntity> {
    const repo = manager.getRepository(SuiteActionEntity);
    return repo.save(repo.create(data));
  }

  async updateAction(
    workspaceId: string,
    id: string,
    data: Partial<SuiteActionEntity>,
    manager: EntityManager,
  ): Promise<void> {
    await manager
      .getRepository(SuiteActionEntity)
      .update({ workspaceId, id }, data as QueryDeepPartialEntity<SuiteActionEntity>);
  }

  async deleteAction(workspaceId: string, id: string, manager: EntityManager): Promise<void> {
    await manager.getRepository(SuiteActionEntity).delete({ workspaceId, id });
  }

  private async withCounts(workspaceId: string, rows: SuiteEntity[]): Promise<SuiteRow[]> {
    if (rows.length === 0) return [];
    const counts: { suite_id: string; n: number }[] = await this.actions.query(
      `SELECT suite_id, count(*)::int AS n FROM suite_actions
        WHERE workspace_id = $1 AND suite_id = ANY($2::uuid[]) GROUP BY suite_id`,
      [workspaceId, rows.map((r) => r.id)],
    );
    const bySuite = new Map(counts.map((c) => [c.suite_id, c.n]));
    return rows.map((row) => Object.assign(row, { actionCount: bySuite.get(row.id) ?? 0 }));
  }
}
