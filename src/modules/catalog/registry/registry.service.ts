import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundAppException, ValidationAppException } from 'src/common/errors/app.exception';
import { decodeCursor, toPage } from 'src/common/pagination/cursor';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import type { Classification, RegistryKind } from '../catalog.constants';
import { CatalogErrorCode, CatalogException, inUse, nameTaken, violatedUniqueIndex } from '../catalog.exception';
import type {
  RegistryVersionPageDto,
  RegistryVersionResponseDto,
  RegistryWriteDto,
  ValidationReportDto,
} from './dto/registry.dto';
import type { RegistryEntryEntity } from './entities/registry-entry.entity';
import type { RegistryVersionEntity } from './entities/registry-version.entity';
import { RegistryRepository } from './registry.repository';
import { SpecReferences } from './spec-references';
import { type AnySpec, parseSpec } from './specs';

export interface NewEntry {
  key: string;
  classification: Classification;
  /** User entries only; defaults to the caller. */
  ownerUserId?: string;
}

/**
 * The registry: entries of a kind by key, each create or update a new immutable version, readers
 * resolving the current one. Scoped like everything else: a caller sees platform entries and
 * their own workspace's, and another workspace's entry is 404.
 */
@Injectable()
export class RegistryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: RegistryRepository,
    private readonly references: SpecReferences,
    private readonly audit: AuditLogService,
  ) {}

  /** A new entry with `spec` as version 1. `prefix` names fields as the caller sent them (`spec.` on registry routes). */
  async create(
    principal: Principal,
    kind: RegistryKind,
    input: NewEntry,
    spec: AnySpec,
    prefix = '',
  ): Promise<RegistryEntryEntity> {
    assertKeyOfKind(kind, input.key);
    const workspaceId = input.classification === 'platform' ? null : principal.workspaceId;
    const owner = await this.resolveOwner(principal, input);
    const id = await this.transaction(input.key, async (manager) => {
      await this.registry.lockKey(kind, input.key, manager);
      if (await this.registry.keyClash(kind, input.key, workspaceId, manager))
        throw nameTaken(article(kind), input.key);
      return (
        await this.insert(
          principal,
          kind,
          { key: input.key, classification: input.classification, workspaceId, owner },
          spec,
          prefix,
          manager,
        )
      ).id;
    });
    return this.require(principal, kind, id);
  }

  /** The next version of an entry the caller sees. */
  async publish(
    principal: Principal,
    kind: RegistryKind,
    id: string,
    spec: AnySpec,
    prefix = '',
  ): Promise<RegistryEntryEntity> {
    await this.transaction('', async (manager) => {
      const entry = await this.registry.lockForWrite(kind, principal.workspaceId, id, manager);
      if (!entry) throw new NotFoundAppException(label(kind), id);
      await this.append(principal, entry, spec, prefix, manager);
    });
    return this.require(principal, kind, id);
  }

  /** `POST /v1/registry/{kind}`: the next version of the entry of that key, or version 1 of a new one. */
  async write(principal: Principal, kind: RegistryKind, dto: RegistryWriteDto): Promise<RegistryVersionResponseDto> {
    assertKeyOfKind(kind, dto.key, 'key');
    const spec = parseSpec(kind, dto.spec);
    const id = await this.transaction(dto.key, async (manager) => {
      await this.registry.lockKey(kind, dto.key, manager);
      const existing = await this.registry.getByKey(kind, principal.workspaceId, dto.key, manager);
      if (!existing) {
        const classification = dto.classification ?? 'platform';
        const owner = await this.resolveOwner(principal, {
          key: dto.key,
          classification,
          ownerUserId: dto.owner_user_id,
        });
        const workspaceId = classification === 'platform' ? null : principal.workspaceId;
        if (await this.registry.keyClash(kind, dto.key, workspaceId, manager)) throw nameTaken(article(kind), dto.key);
        const entry = await this.insert(
          principal,
          kind,
          { key: dto.key, classification, workspaceId, owner },
          spec,
          'spec.',
          manager,
        );
        return entry.id;
      }
      if (dto.owner_user_id && dto.owner_user_id !== existing.ownerUserId) {
        throw new CatalogException(
          HttpStatus.CONFLICT,
          CatalogErrorCode.Immutable,
          `The owner of ${dto.key} cannot change`,
        );
      }
      if (dto.classification && dto.classification !== existing.classification) {
        throw new CatalogException(
          HttpStatus.CONFLICT,
          CatalogErrorCode.Immutable,
          `${dto.key} is a ${existing.classification} ${kind}; its classification cannot change`,
        );
      }
      const entry = (await this.registry.lockForWrite(kind, principal.workspaceId, existing.id, manager))!;
      await this.append(principal, entry, spec, 'spec.', manager);
      return entry.id;
    });
    const entry = await this.require(principal, kind, id);
    return toVersionResponse(entry, entry.current!);
  }

  async require(principal: Principal, kind: RegistryKind, id: string): Promise<RegistryEntryEntity> {
    const entry = await this.registry.getById(kind, principal.workspaceId, id);
    if (!entry) throw new NotFoundAppException(label(kind), id);
    return entry;
  }

  async list(
    principal: Principal,
    kind: RegistryKind,
    limit: number,
    cursor?: string,
    classification?: Classification,
  ) {
    const after = cursor ? decodeCursor<{ k: string; id: string }>(cursor, ['k', 'id']) : undefined;
    const rows = await this.registry.list(kind, principal.workspaceId, limit, {
      classification,
      after: after && { key: after.k, id: after.id },
    });
    return toPage(rows, limit, (row) => ({ k: row.key, id: row.id }));
  }

  async versions(
    principal: Principal,
    kind: RegistryKind,
    id: string,
    limit: number,
    cursor?: string,
  ): Promise<RegistryVersionPageDto> {
    const entry = await this.require(principal, kind, id);
    const before = cursor ? decodeCursor<{ v: number }>(cursor, ['v']).v : undefined;
    const page = toPage(await this.registry.listVersions(entry.id, limit, before), limit, (row) => ({
      v: row.version,
    }));
    return { data: page.data.map((v) => toVersionResponse(entry, v)), next_cursor: page.next_cursor };
  }

  /** One version of an entry the caller sees (the current one without `version`). */
  async version(
    principal: Principal,
    kind: RegistryKind,
    id: string,
    version?: number,
  ): Promise<{ entry: RegistryEntryEntity; version: RegistryVersionEntity }> {
    const entry = await this.require(principal, kind, id);
    return { entry, version: await this.versionOf(entry, version) };
  }

  async getByKey(
    principal: Principal,
    kind: RegistryKind,
    key: string,
    version?: number,
  ): Promise<RegistryVersionResponseDto> {
    const entry = await this.registry.getByKey(kind, principal.workspaceId, key);
    if (!entry) throw new NotFoundAppException(label(kind), key);
    return toVersionResponse(entry, await this.versionOf(entry, version));
  }

  /** The current version against today's catalog and ModelOps (references may have gone since). */
  async validate(principal: Principal, kind: RegistryKind, id: string): Promise<ValidationReportDto> {
    const entry = await this.require(principal, kind, id);
    const issues = await this.references.check(
      kind,
      entry.current!.spec as unknown as AnySpec,
      entry.workspaceId,
      '',
      this.dataSource.manager,
      false,
    );
    return {
      valid: issues.errors.length === 0,
      version: entry.currentVersion,
      errors: issues.errors,
      warnings: issues.warnings,
    };
  }

  /**
   * Platform entries are never deleted (409: publish an inactive version instead); a user entry by
   * its owner or a superadmin (403 otherwise); a tool while agents allow it is 409 naming them.
   */
  async remove(principal: Principal, kind: RegistryKind, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const entry = await this.registry.lockForWrite(kind, principal.workspaceId, id, manager);
      if (!entry) throw new NotFoundAppException(label(kind), id);
      if (entry.classification === 'platform') {
        throw new CatalogException(
          HttpStatus.CONFLICT,
          CatalogErrorCode.PlatformEntryProtected,
          `${entry.key} is a platform ${kind} and cannot be deleted; publish a version with status inactive to retire it`,
        );
      }
      if (!principal.isSuperadmin && entry.ownerUserId !== principal.userId) {
        throw new CatalogException(
          HttpStatus.FORBIDDEN,
          CatalogErrorCode.NotOwner,
          `Only the owner of ${entry.key} or a superadmin may delete it`,
        );
      }
      if (kind === 'tool') {
        const agents = await this.registry.agentsAllowingTool(entry.key, entry.workspaceId, manager);
        if (agents.length > 0)
          throw inUse(
            `Catalog tool ${entry.key}`,
            agents.map((a) => `agent ${a.key} (tool_policy.allowed_tools)`),
          );
      }
      await this.registry.deleteEntry(entry.id, manager);
      await this.record(principal, `catalog.${kind}.deleted`, entry, entry.currentVersion, manager);
    });
  }

  private async insert(
    principal: Principal,
    kind: RegistryKind,
    input: { key: string; classification: Classification; workspaceId: string | null; owner: string | null },
    spec: AnySpec,
    prefix: string,
    manager: EntityManager,
  ): Promise<RegistryEntryEntity> {
    const entry = await this.registry.insertEntry(
      {
        kind,
        key: input.key,
        workspaceId: input.workspaceId,
        classification: input.classification,
        ownerUserId: input.owner,
        currentVersion: 0,
        createdByUserId: principal.userId,
      },
      manager,
    );
    await this.append(principal, entry, spec, prefix, manager);
    return entry;
  }

  private async append(
    principal: Principal,
    entry: RegistryEntryEntity,
    spec: AnySpec,
    prefix: string,
    manager: EntityManager,
  ): Promise<void> {
    const issues = await this.references.check(entry.kind, spec, entry.workspaceId, prefix, manager, true);
    if (issues.errors.length > 0) {
      throw new CatalogException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        CatalogErrorCode.UnknownReference,
        `${entry.key}: ${issues.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
        { errors: issues.errors },
      );
    }
    const version = await this.registry.appendVersion(entry, spec, principal.userId, manager);
    await this.record(principal, `catalog.${entry.kind}.version_published`, entry, version.version, manager);
  }

  private async resolveOwner(principal: Principal, input: NewEntry): Promise<string | null> {
    if (input.classification === 'platform') {
      if (input.ownerUserId)
        throw new ValidationAppException([{ field: 'owner_user_id', message: 'platform entries have no owner' }]);
      return null;
    }
    const owner = input.ownerUserId ?? principal.userId;
    if (owner !== principal.userId && !(await this.registry.isMember(principal.workspaceId, owner))) {
      throw new CatalogException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        CatalogErrorCode.UnknownReference,
        `User ${owner} is not a member of this workspace`,
        {
          errors: [{ field: 'owner_user_id', message: `user ${owner} is not a member of this workspace` }],
        },
      );
    }
    return owner;
  }

  private async versionOf(entry: RegistryEntryEntity, version?: number): Promise<RegistryVersionEntity> {
    if (version === undefined || version === entry.currentVersion) return entry.current!;
    const row = await this.registry.getVersion(entry.id, version);
    if (!row) throw new NotFoundAppException(`Version ${version} of ${entry.key}`);
    return row;
  }

  private async transaction<T>(key: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (err) {
      const index = violatedUniqueIndex(err);
      if (index?.startsWith('uq_registry_entries_')) throw nameTaken('An entry', key);
      throw err;
    }
  }

  private record(
    principal: Principal,
    action: string,
    entry: RegistryEntryEntity,
    version: number,
    manager: EntityManager,
  ): Promise<void> {
    return this.audit.record(
      principal,
      {
        workspaceId: entry.workspaceId,
        action,
        targetType: `registry_${entry.kind}`,
        targetId: entry.id,
        data: { key: entry.key, version, classification: entry.classification },
      },
      manager,
    );
  }
}

function article(kind: RegistryKind): string {
  return { agent: 'An agent', tool: 'A tool', model: 'A model' }[kind];
}

function label(kind: RegistryKind): string {
  return { agent: 'Agent', tool: 'Tool', model: 'Model' }[kind];
}

function assertKeyOfKind(kind: RegistryKind, key: string, field = 'key'): void {
  if (!key.startsWith(`${kind}.`)) {
    throw new ValidationAppException([{ field, message: `a ${kind} key starts with "${kind}."` }]);
  }
}

export function toVersionResponse(
  entry: RegistryEntryEntity,
  version: RegistryVersionEntity,
): RegistryVersionResponseDto {
  return {
    entry_id: entry.id,
    kind: entry.kind,
    key: entry.key,
    version: version.version,
    is_current: version.version === entry.currentVersion,
    classification: entry.classification,
    workspace_id: entry.workspaceId,
    spec: version.spec,
    created_by: version.createdByUserId,
    created_at: version.createdAt.toISOString(),
  };
}
