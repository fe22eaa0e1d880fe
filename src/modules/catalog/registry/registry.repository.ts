import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import { MembershipEntity } from 'src/modules/users/entities/membership.entity';
import type { Classification, RegistryKind } from '../catalog.constants';
import { RegistryEntryEntity } from './entities/registry-entry.entity';
import { RegistryVersionEntity } from './entities/registry-version.entity';

/** A referencing entry, as a 409 names it. */
export interface EntryRef {
  id: string;
  key: string;
  workspace_id: string | null;
}

export interface EntryFilter {
  classification?: Classification;
  after?: { key: string; id: string };
}

/**
 * Registry entries and their versions. Every read is scoped to what a workspace sees: platform
 * entries (no workspace) and the workspace's own.
 */
@Injectable()
export class RegistryRepository {
  constructor(
    @InjectRepository(RegistryEntryEntity) private readonly entries: Repository<RegistryEntryEntity>,
    @InjectRepository(RegistryVersionEntity) private readonly versions: Repository<RegistryVersionEntity>,
  ) {}

  /** Entries of the kind the workspace sees, by key, each with its current version joined. */
  list(
    kind: RegistryKind,
    workspaceId: string,
    limit: number,
    filter: EntryFilter = {},
  ): Promise<RegistryEntryEntity[]> {
    const qb = this.visible(kind, workspaceId)
      .orderBy('e.key', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .limit(limit + 1);
    if (filter.classification)
      qb.andWhere('e.classification = :classification', { classification: filter.classification });
    if (filter.after) qb.andWhere('(e.key, e.id) > (:key, :id)', filter.after);
    return qb.getMany();
  }

  /** Every entry of the kind the workspace sees, by key, with its current version (readers). */
  allVisible(kind: RegistryKind, workspaceId: string): Promise<RegistryEntryEntity[]> {
    return this.visible(kind, workspaceId).orderBy('e.key', 'ASC').addOrderBy('e.id', 'ASC').getMany();
  }

  getById(
    kind: RegistryKind,
    workspaceId: string,
    id: string,
    manager?: EntityManager,
  ): Promise<RegistryEntryEntity | null> {
    return this.visible(kind, workspaceId, manager).andWhere('e.id = :id', { id }).getOne();
  }

  getByKey(
    kind: RegistryKind,
    workspaceId: string | null,
    key: string,
    manager?: EntityManager,
  ): Promise<RegistryEntryEntity | null> {
    return this.visible(kind, workspaceId, manager).andWhere('e.key = :key', { key }).getOne();
  }

  /** Visible entries of these keys, share-locked: a referenced tool cannot be deleted under a writer. */
  lockKeysShared(
    kind: RegistryKind,
    workspaceId: string | null,
    keys: string[],
    manager: EntityManager,
  ): Promise<RegistryEntryEntity[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.visible(kind, workspaceId, manager)
      .andWhere('e.key IN (:...keys)', { keys })
      .setLock('pessimistic_read', undefined, ['e'])
      .getMany();
  }

  /** Locks the entry for a new version or a delete. */
  lockForWrite(
    kind: RegistryKind,
    workspaceId: string,
    id: string,
    manager: EntityManager,
  ): Promise<RegistryEntryEntity | null> {
    return manager
      .getRepository(RegistryEntryEntity)
      .createQueryBuilder('e')
      .setLock('pessimistic_write')
      .where('e.kind = :kind AND e.id = :id', { kind, id })
      .andWhere('(e.workspace_id IS NULL OR e.workspace_id = :workspaceId)', { workspaceId })
      .getOne();
  }

  /**
   * Serializes creations of one key (platform or any workspace) for the transaction, so the check
   * that a user key does not shadow a platform key (and the reverse) cannot race.
   */
  async lockKey(kind: RegistryKind, key: string, manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`registry:${kind}:${key}`]);
  }

  /** Whether the key is taken where it would clash: platform-wide, or in the workspace (any workspace for a platform key). */
  async keyClash(
    kind: RegistryKind,
    key: string,
    workspaceId: string | null,
    manager: EntityManager,
  ): Promise<boolean> {
    const qb = manager
      .getRepository(RegistryEntryEntity)
      .createQueryBuilder('e')
      .where('e.kind = :kind AND e.key = :key', { kind, key });
    if (workspaceId) qb.andWhere('(e.workspace_id IS NULL OR e.workspace_id = :workspaceId)', { workspaceId });
    return qb.getExists();
  }

  insertEntry(data: Partial<RegistryEntryEntity>, manager: EntityManager): Promise<RegistryEntryEntity> {
    const repo = manager.getRepository(RegistryEntryEntity);
    return repo.save(repo.create(data));
  }

  /** Appends a version and makes it current. */
  async appendVersion(
    entry: RegistryEntryEntity,
    spec: object,
    userId: string | null,
    manager: EntityManager,
  ): Promise<RegistryVersionEntity> {
    const version = entry.currentVersion + 1;
    const repo = manager.getRepository(RegistryVersionEntity);
    const row = await repo.save(
      repo.create({
        entryId: entry.id,
        kind: entry.kind,
        key: entry.key,
        workspaceId: entry.workspaceId,
        version,
        spec: spec as Record<string, unknown>,
        createdByUserId: userId,
      }),
    );
    await manager.getRepository(RegistryEntryEntity).update({ id: entry.id }, { currentVersion: version });
    return row;
  }

  async deleteEntry(id: string, manager: EntityManager): Promise<void> {
    await manager.getRepository(RegistryEntryEntity).delete({ id });
  }

  getVersion(entryId: string, version: number): Promise<RegistryVersionEntity | null> {
    return this.versions.findOneBy({ entryId, version });
  }

  /** Versions newest first. */
  listVersions(entryId: string, limit: number, before?: number): Promise<RegistryVersionEntity[]> {
    const qb = this.versions
      .createQueryBuilder('v')
      .where('v.entry_id = :entryId', { entryId })
      .orderBy('v.version', 'DESC')
      .limit(limit + 1);
    if (before !== undefined) qb.andWhere('v.version < :before', { before });
    return qb.getMany();
  }

  isMember(workspaceId: string, userId: string, manager?: EntityManager): Promise<boolean> {
    return (manager ?? this.entries.manager).getRepository(MembershipEntity).existsBy({ workspaceId, userId });
  }

  /** Agents whose current tool policy allows the tool key (among those that can see the tool). */
  agentsAllowingTool(toolKey: string, toolWorkspaceId: string | null, manager: EntityManager): Promise<EntryRef[]> {
    return manager.query(
      `SELECT e.id, e.key, e.workspace_id FROM registry_entries e
         JOIN registry_versions v ON v.entry_id = e.id AND v.version = e.current_version
        WHERE e.kind = 'agent' AND ($2::uuid IS NULL OR e.workspace_id = $2)
          AND v.spec -> 'tool_policy' -> 'allowed_tools' ? $1
        ORDER BY e.key, e.id`,
      [toolKey, toolWorkspaceId],
    );
  }

  /** Catalog tools of the workspace whose current spec runs on the MCP server (optionally one tool of it). */
  toolsOnMcpServer(
    workspaceId: string,
    serverId: string,
    toolNames: string[] | null,
    manager?: EntityManager,
  ): Promise<(EntryRef & { tool_name: string })[]> {
    return (manager ?? this.entries.manager).query(
      `SELECT e.id, e.key, e.workspace_id, v.spec -> 'mcp' ->> 'tool_name' AS tool_name FROM registry_entries e
         JOIN registry_versions v ON v.entry_id = e.id AND v.version = e.current_version
        WHERE e.kind = 'tool' AND e.workspace_id = $1 AND v.spec -> 'mcp' ->> 'server_id' = $2::text
          AND ($3::text[] IS NULL OR v.spec -> 'mcp' ->> 'tool_name' = ANY($3::text[]))
        ORDER BY e.key`,
      [workspaceId, serverId, toolNames],
    );
  }

  /** Agents and models (any workspace) whose current model selection names the ModelOps model. */
  usingManagedModel(modelId: string): Promise<(EntryRef & { kind: string; version: number })[]> {
    return this.entries.query(
      `SELECT e.id, e.key, e.kind, e.workspace_id, e.current_version AS version FROM registry_entries e
         JOIN registry_versions v ON v.entry_id = e.id AND v.version = e.current_version
        WHERE e.kind IN ('agent', 'model') AND v.spec -> 'model_selection' ->> 'model_id' = $1::text
        ORDER BY e.kind, e.key`,
      [modelId],
    );
  }

  /**
   * Seeds a platform entry with its first version unless the key exists. Two replicas booting at
   * once both try: the unique index makes the second insert a no-op (ON CONFLICT), and only the
   * transaction that inserted the entry writes its version.
   */
  async seedPlatform(kind: RegistryKind, key: string, spec: object, manager: EntityManager): Promise<boolean> {
    const inserted: { id: string }[] = await manager.query(
      `INSERT INTO registry_entries (kind, key, workspace_id, classification, owner_user_id, current_version)
       VALUES ($1, $2, NULL, 'platform', NULL, 1)
       ON CONFLICT (kind, key) WHERE workspace_id IS NULL DO NOTHING
       RETURNING id`,
      [kind, key],
    );
    if (inserted.length === 0) return false;
    await manager.query(
      `INSERT INTO registry_versions (entry_id, kind, key, workspace_id, version, spec) VALUES ($1, $2, $3, NULL, 1, $4)`,
      [inserted[0].id, kind, key, JSON.stringify(spec)],
    );
    return true;
  }

  /** What a workspace sees: platform entries and its own; `null` sees platform entries only. */
  private visible(
    kind: RegistryKind,
    workspaceId: string | null,
    manager?: EntityManager,
  ): SelectQueryBuilder<RegistryEntryEntity> {
    const qb = (manager?.getRepository(RegistryEntryEntity) ?? this.entries)
      .createQueryBuilder('e')
      .innerJoinAndMapOne(
        'e.current',
        RegistryVersionEntity,
        'v',
        'v.entry_id = e.id AND v.version = e.current_version',
      )
      .where('e.kind = :kind', { kind });
    return workspaceId === null
      ? qb.andWhere('e.workspace_id IS NULL')
      : qb.andWhere('(e.workspace_id IS NULL OR e.workspace_id = :workspaceId)', { workspaceId });
  }
}
