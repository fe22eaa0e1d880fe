import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ExampleEntity } from './entities/example.entity';

export interface ExampleFilter {
  sessionId?: string;
  modelId?: string;
  suiteId?: string;
  /** Keyset position of the previous page's last row (newest first). */
  before?: { createdAt: Date; id: string };
}

/** Examples, always within one workspace (the builder's reads name the workspace of their job). */
@Injectable()
export class ExamplesRepository {
  constructor(@InjectRepository(ExampleEntity) private readonly examples: Repository<ExampleEntity>) {}

  create(data: Partial<ExampleEntity>): Promise<ExampleEntity> {
    return this.examples.save(this.examples.create(data));
  }

  getById(workspaceId: string, id: string): Promise<ExampleEntity | null> {
    return this.examples.findOneBy({ workspaceId, id });
  }

  list(workspaceId: string, filter: ExampleFilter, limit: number): Promise<ExampleEntity[]> {
    const qb = this.examples
      .createQueryBuilder('x')
      .where('x.workspace_id = :workspaceId', { workspaceId })
      .orderBy('x.created_at', 'DESC')
      .addOrderBy('x.id', 'DESC')
      .limit(limit + 1);
    if (filter.sessionId) qb.andWhere('x.session_id = :sessionId', { sessionId: filter.sessionId });
    if (filter.modelId) qb.andWhere('x.model_id = :modelId', { modelId: filter.modelId });
    if (filter.suiteId) qb.andWhere('x.suite_id = :suiteId', { suiteId: filter.suiteId });
    if (filter.before) qb.andWhere('(x.created_at, x.id) < (:createdAt, :id)', filter.before);
    return qb.getMany();
  }

  /** The newest examples built from sessions of a suite, to name them when the suite is to be deleted. */
  listBySuite(workspaceId: string, suiteId: string, limit: number): Promise<Pick<ExampleEntity, 'id' | 'status'>[]> {
    return this.examples.find({
      select: { id: true, status: true },
      where: { workspaceId, suiteId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
    });
  }

  async update(workspaceId: string, id: string, data: QueryDeepPartialEntity<ExampleEntity>): Promise<void> {
    await this.examples.update({ workspaceId, id }, data);
  }

  /** Examples left queued or running (by a process that stopped), oldest first, every workspace. */
  listUnfinished(): Promise<Pick<ExampleEntity, 'id' | 'workspaceId'>[]> {
    return this.examples.find({
      select: { id: true, workspaceId: true },
      where: { status: In(['queued', 'running']) },
      order: { createdAt: 'ASC' },
    });
  }
}
