import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { decodeCursor, toPage } from 'src/common/pagination/cursor';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { nameTaken, violatedUniqueIndex } from '../catalog.exception';
import { assertJsonSchema } from '../schema/json-schema.validator';
import type {
  CreateSuiteActionDto,
  ListSuiteActionsQueryDto,
  SuiteActionPageDto,
  SuiteActionResponseDto,
  UpdateSuiteActionDto,
} from './dto/suite.dto';
import type { SuiteActionEntity } from './entities/suite-action.entity';
import { SuitesRepository } from './suites.repository';

/** The actions of a suite: names unique per suite, argument schemas validated on every write. */
@Injectable()
export class SuiteActionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly suites: SuitesRepository,
    private readonly audit: AuditLogService,
  ) {}

  async list(principal: Principal, suiteId: string, query: ListSuiteActionsQueryDto): Promise<SuiteActionPageDto> {
    await this.requireSuite(principal, suiteId);
    const after = query.cursor ? decodeCursor<{ name: string }>(query.cursor, ['name']).name : undefined;
    const rows = await this.suites.listActions(principal.workspaceId, suiteId, query.limit, after);
    const page = toPage(rows, query.limit, (row) => ({ name: row.name }));
    return { data: page.data.map(toActionResponse), next_cursor: page.next_cursor };
  }

  async get(principal: Principal, suiteId: string, id: string): Promise<SuiteActionResponseDto> {
    return toActionResponse(await this.require(principal, suiteId, id));
  }

  async create(principal: Principal, suiteId: string, dto: CreateSuiteActionDto): Promise<SuiteActionResponseDto> {
    await this.requireSuite(principal, suiteId);
    assertJsonSchema(dto.parameters_schema, 'parameters_schema');
    const id = await this.write(principal, suiteId, dto.name, async (manager) => {
      const row = await this.suites.insertAction(
        {
          workspaceId: principal.workspaceId,
          suiteId,
          name: dto.name,
          description: dto.description ?? null,
          parametersSchema: dto.parameters_schema,
        },
        manager,
      );
      await this.record(principal, 'catalog.suite_action.created', row, manager);
      return row.id;
    });
    return this.get(principal, suiteId, id);
  }

  async update(
    principal: Principal,
    suiteId: string,
    id: string,
    dto: UpdateSuiteActionDto,
  ): Promise<SuiteActionResponseDto> {
    const row = await this.require(principal, suiteId, id);
    if (dto.parameters_schema !== undefined) assertJsonSchema(dto.parameters_schema, 'parameters_schema');
    await this.write(principal, suiteId, dto.name ?? row.name, async (manager) => {
      await this.suites.updateAction(
        principal.workspaceId,
        id,
        {
          ...(dto.name !== undefined ? { name: dto.name } : {}),
          ...(dto.description !== undefined ? { description: dto.description } : {}),
          ...(dto.parameters_schema !== undefined ? { parametersSchema: dto.parameters_schema } : {}),
        },
        manager,
      );
      await this.record(principal, 'catalog.suite_action.updated', { ...row, name: dto.name ?? row.name }, manager);
    });
    return this.get(principal, suiteId, id);
  }

  async delete(principal: Principal, suiteId: string, id: string): Promise<void> {
    const row = await this.require(principal, suiteId, id);
    await this.write(principal, suiteId, row.name, async (manager) => {
      await this.suites.deleteAction(principal.workspaceId, id, manager);
      await this.record(principal, 'catalog.suite_action.deleted', row, manager);
    });
  }

  private async requireSuite(principal: Principal, suiteId: string): Promise<void> {
    if (!(await this.suites.getById(principal.workspaceId, suiteId))) throw new NotFoundAppException('Suite', suiteId);
  }

  private async require(principal: Principal, suiteId: string, id: string): Promise<SuiteActionEntity> {
    await this.requireSuite(principal, suiteId);
    const row = await this.suites.getAction(principal.workspaceId, suiteId, id);
    if (!row) throw new NotFoundAppException('Action', id);
    return row;
  }

  /** Runs the write with the suite share-locked (a concurrent suite delete waits or wins cleanly). */
  private async write<T>(
    principal: Principal,
    suiteId: string,
    name: string,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        if (!(await this.suites.lock(principal.workspaceId, suiteId, manager, 'share'))) {
          throw new NotFoundAppException('Suite', suiteId);
        }
        return work(manager);
      });
    } catch (err) {
      if (violatedUniqueIndex(err) === 'uq_suite_actions_suite_name') throw nameTaken('An action of this suite', name);
      throw err;
    }
  }

  private record(
    principal: Principal,
    action: string,
    row: Pick<SuiteActionEntity, 'id' | 'name' | 'suiteId'>,
    manager: EntityManager,
  ): Promise<void> {
    return this.audit.record(
      principal,
      {
        workspaceId: principal.workspaceId,
        action,
        targetType: 'suite_action',
        targetId: row.id,
        data: { name: row.name, suite_id: row.suiteId },
      },
      manager,
    );
  }
}

export function toActionResponse(row: SuiteActionEntity): SuiteActionResponseDto {
  return {
    id: row.id,
    suite_id: row.suiteId,
    name: row.name,
    description: row.description,
    parameters_schema: row.parametersSchema,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
