import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { EntityManager, In, Repository } from 'typeorm';
import { CREDENTIAL_REF_PREFIX } from '../catalog.constants';
import { McpServerEntity } from './entities/mcp-server.entity';
import { McpToolEntity } from './entities/mcp-tool.entity';

export interface McpServerRow extends McpServerEntity {
  toolCount: number;
}

/** An MCP tool with its server's name, as readers list them. */
export interface WorkspaceMcpTool extends McpToolEntity {
  serverName: string;
}

/** MCP servers and their tools; every query is filtered by the workspace first. */
@Injectable()
export class McpRepository {
  constructor(
    @InjectRepository(McpServerEntity) private readonly servers: Repository<McpServerEntity>,
    @InjectRepository(McpToolEntity) private readonly tools: Repository<McpToolEntity>,
  ) {}

  async listServers(workspaceId: string, limit: number, afterName?: string): Promise<McpServerRow[]> {
    const qb = this.servers
      .createQueryBuilder('s')
      .where('s.workspace_id = :workspaceId', { workspaceId })
      .orderBy('s.name', 'ASC')
      .limit(limit + 1);
    if (afterName !== undefined) qb.andWhere('s.name > :afterName', { afterName });
    return this.withCounts(workspaceId, await qb.getMany());
  }

  getServer(workspaceId: string, id: string, manager?: EntityManager): Promise<McpServerEntity | null> {
    return (manager?.getRepository(McpServerEntity) ?? this.servers).findOneBy({ workspaceId, id });
  }

  async getServerWithCount(workspaceId: string, id: string): Promise<McpServerRow | null> {
    const row = await this.getServer(workspaceId, id);
    return row ? (await this.withCounts(workspaceId, [row]))[0] : null;
  }

  /**
   * Locks the server row for the transaction: `write` to delete it or import into it, `share` to
   * write something that references it (a catalog tool), so neither outruns the other.
   */
  lockServer(
    workspaceId: string,
    id: string,
    manager: EntityManager,
    mode: 'write' | 'share',
  ): Promise<McpServerEntity | null> {
    return manager
      .getRepository(McpServerEntity)
      .createQueryBuilder('s')
      .setLock(mode === 'write' ? 'pessimistic_write' : 'pessimistic_read')
      .where('s.workspace_id = :workspaceId AND s.id = :id', { workspaceId, id })
      .getOne();
  }

  insertServer(data: Partial<McpServerEntity>, manager: EntityManager): Promise<McpServerEntity> {
    const repo = manager.getRepository(McpServerEntity);
    return repo.save(repo.create(data));
  }

  async updateServer(
    workspaceId: string,
    id: string,
    data: Partial<McpServerEntity>,
    manager: EntityManager,
  ): Promise<void> {
    await manager.getRepository(McpServerEntity).update({ workspaceId, id }, data);
  }

  async deleteServer(workspaceId: string, id: string, manager: EntityManager): Promise<void> {
    await manager.getRepository(McpServerEntity).delete({ workspaceId, id });
  }

  /** Servers (any workspace) whose secret refs name the ModelOps credential: ModelOps asks before deleting it. */
  async serversUsingCredential(credentialId: string): Promise<{ name: string; workspace_id: string }[]> {
    return this.servers.query(
      `SELECT name, workspace_id FROM mcp_servers s
        WHERE EXISTS (SELECT 1 FROM jsonb_each_text(s.secret_refs) r WHERE lower(r.value) = lower($1))
        ORDER BY name`,
      [`${CREDENTIAL_REF_PREFIX}${credentialId}`],
    );
  }

  listTools(workspaceId: string, serverId: string, limit: number, afterName?: string): Promise<McpToolEntity[]> {
    const qb = this.tools
      .createQueryBuilder('t')
      .where('t.workspace_id = :workspaceId AND t.server_id = :serverId', { workspaceId, serverId })
      .orderBy('t.name', 'ASC')
      .limit(limit + 1);
    if (afterName !== undefined) qb.andWhere('t.name > :afterName', { afterName });
    return qb.getMany();
  }

  toolsOfServer(workspaceId: string, serverId: string, manager?: EntityManager): Promise<McpToolEntity[]> {
    return (manager?.getRepository(McpToolEntity) ?? this.tools).find({
      where: { workspaceId, serverId },
      order: { name: 'ASC' },
    });
  }

  getTool(workspaceId: string, serverId: string, id: string): Promise<McpToolEntity | null> {
    return this.tools.findOneBy({ workspaceId, serverId, id });
  }

  getToolByName(
    workspaceId: string,
    serverId: string,
    name: string,
    manager?: EntityManager,
  ): Promise<McpToolEntity | null> {
    return (manager?.getRepository(McpToolEntity) ?? this.tools).findOneBy({ workspaceId, serverId, name });
  }

  insertTool(data: Partial<McpToolEntity>, manager: EntityManager): Promise<McpToolEntity> {
    const repo = manager.getRepository(McpToolEntity);
    return repo.save(repo.create(data));
  }

  async updateTool(
    workspaceId: string,
    id: string,
    data: Partial<McpToolEntity>,
    manager: EntityManager,
  ): Promise<void> {
    await manager
      .getRepository(McpToolEntity)
      .update({ workspaceId, id }, data as QueryDeepPartialEntity<McpToolEntity>);
  }

  async deleteTools(workspaceId: string, ids: string[], manager: EntityManager): Promise<void> {
    if (ids.length > 0) await manager.getRepository(McpToolEntity).delete({ workspaceId, id: In(ids) });
  }

  /** Every MCP tool of the workspace, by server name then tool name (readers' deterministic order). */
  async workspaceTools(workspaceId: string, names?: string[]): Promise<WorkspaceMcpTool[]> {
    if (names && names.length === 0) return [];
    const servers = await this.servers.find({ where: { workspaceId }, select: { id: true, name: true } });
    if (servers.length === 0) return [];
    const serverName = new Map(servers.map((s) => [s.id, s.name]));
    const tools = await this.tools.find({ where: { workspaceId, ...(names ? { name: In(names) } : {}) } });
    return tools
      .map((tool) => Object.assign(tool, { serverName: serverName.get(tool.serverId) ?? '' }))
      .sort((a, b) => compare(a.serverName, b.serverName) || compare(a.name, b.name));
  }

  private async withCounts(workspaceId: string, rows: McpServerEntity[]): Promise<McpServerRow[]> {
    if (rows.length === 0) return [];
    const counts: { server_id: string; n: number }[] = await this.tools.query(
      `SELECT server_id, count(*)::int AS n FROM mcp_tools
        WHERE workspace_id = $1 AND server_id = ANY($2::uuid[]) GROUP BY server_id`,
      [workspaceId, rows.map((r) => r.id)],
    );
    const byServer = new Map(counts.map((c) => [c.server_id, c.n]));
    return rows.map((row) => Object.assign(row, { toolCount: byServer.get(row.id) ?? 0 }));
  }
}

/** Code-point order, the same on every machine (no locale). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
