import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { decodeCursor, toPage } from 'src/common/pagination/cursor';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { SuiteReferenceRegistry } from '../catalog-references';
import { inUse, nameTaken, violatedUniqueIndex } from '../catalog.exception';
import type {
  CreateSuiteDto,
  ListSuitesQueryDto,
  SuitePageDto,
  SuiteResponseDto,
  UpdateSuiteDto,
} from './dto/suite.dto';
import type { SuiteEntity } from './entities/suite.entity';
import { type SuiteRow, SuitesRepository } from './suites.repository';

/** Suites of the caller's workspace: viewers read, members write, names unique per workspace. */
@Injectable()
export class SuitesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly suites: SuitesRepository,
    private readonly references: SuiteReferenceRegistry,
    private readonly audit: AuditLogService,
  ) {}

  async list(principal: Principal, query: ListSuitesQueryDto): Promise<SuitePageDto> {
    const after = query.cursor ? decodeCursor<{ name: string }>(query.cursor, ['name']).name : undefined;
    const rows = await this.suites.list(principal.workspaceId, query.limit, after);
    const page = toPage(rows, query.limit, (row) => ({ name: row.name }));
    return { data: page.data.map(toSuiteResponse), next_cursor: page.next_cursor };
  }

  async get(principal: Principal, id: string): Promise<SuiteResponseDto> {
    const row = await this.suites.getWithCount(principal.workspaceId, id);
    if (!row) throw new NotFoundAppException('Suite', id);
    return toSuiteResponse(row);
  }

  /** The suite if it is in the caller's workspace, else 404. */
  async require(principal: Principal, id: string): Promise<SuiteEntity> {
    const row = await this.suites.getById(principal.workspaceId, id);
    if (!row) throw new NotFoundAppException('Suite', id);
    return row;
  }

  async create(principal: Principal, dto: CreateSuiteDto): Promise<SuiteResponseDto> {
    const id = await this.write(dto.name, async (manager) => {
      const row = await this.suites.insert(
        {
          workspaceId: principal.workspaceId,
          name: dto.name,
          description: dto.description ?? null,
          metadata: dto.metadata ?? {},
          createdByUserId: principal.userId,
        },
        manager,
      );
      await this.record(principal, 'catalog.suite.created', row, manager);
      return row.id;
    });
    return this.get(principal, id);
  }

  async update(principal: Principal, id: string, dto: UpdateSuiteDto): Promise<SuiteResponseDto> {
    const row = await this.require(principal, id);
    await this.write(dto.name ?? row.name, async (manager) => {
      await this.suites.update(
        principal.workspaceId,
        id,
        {
          ...(dto.name !== undefined ? { name: dto.name } : {}),
          ...(dto.description !== undefined ? { description: dto.description } : {}),
          ...(dto.metadata !== undefined ? { metadata: dto.metadata } : {}),
        },
        manager,
      );
      await this.record(principal, 'catalog.suite.updated', { id, name: dto.name ?? row.name }, manager);
    });
    return this.get(principal, id);
  }

  /**
   * Refused (409 `in_use`) while sessions were recorded against the suite or an upper module
   * (examples, incidents) references it; its actions go with it. The suite row is locked first so
   * two deletes, or a delete and an action write, serialize.
   */
  async delete(principal: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await this.suites.lock(principal.workspaceId, id, manager, 'write');
      if (!row) throw new NotFoundAppException('Suite', id);
      const sessions = await this.suites.sessionReferences(principal.workspaceId, id, manager);
      const references = [
        ...(sessions.count > 0
          ? [
              `sessions.suite_id: ${sessions.count} session(s) (${sessions.ids.join(', ')}${sessions.count > sessions.ids.length ? ', …' : ''})`,
            ]
          : []),
        ...(await this.references.referencesTo(principal.workspaceId, id)),
      ];
      if (references.length > 0) throw inUse(`Suite ${row.name}`, references);
      await this.suites.delete(principal.workspaceId, id, manager);
      await this.record(principal, 'catalog.suite.deleted', row, manager);
    });
  }

  private async write<T>(name: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (err) {
      if (violatedUniqueIndex(err) === 'uq_suites_workspace_name') throw nameTaken('A suite', name);
      throw err;
    }
  }

  private record(
    principal: Principal,
    action: string,
    row: Pick<SuiteEntity, 'id' | 'name'>,
    manager: EntityManager,
  ): Promise<void> {
    return this.audit.record(
      principal,
      { workspaceId: principal.workspaceId, action, targetType: 'suite', targetId: row.id, data: { name: row.name } },
      manager,
    );
  }
}

export function toSuiteResponse(row: SuiteRow): SuiteResponseDto {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    name: row.name,
    description: row.description,
    metadata: row.metadata,
    action_count: row.actionCount,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
