import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundAppException, ValidationAppException } from 'src/common/errors/app.exception';
import { decodeCursor, toPage } from 'src/common/pagination/cursor';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { CatalogErrorCode, CatalogException, inUse, nameTaken, violatedUniqueIndex } from '../catalog.exception';
import { CatalogModelOpsPort } from '../modelops.port';
import { RegistryRepository } from '../registry/registry.repository';
import type {
  CreateMcpServerDto,
  ListMcpServersQueryDto,
  McpServerPageDto,
  McpServerResponseDto,
  UpdateMcpServerDto,
} from './dto/mcp-server.dto';
import type { McpServerEntity } from './entities/mcp-server.entity';
import { changedRefs, credentialIds, type McpServerConfig, mcpServerConfigErrors } from './mcp-server-config';
import { McpRepository, type McpServerRow } from './mcp.repository';

/** MCP servers of the caller's workspace: viewers read, members write, names unique per workspace. */
@Injectable()
export class McpServersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly mcp: McpRepository,
    private readonly registry: RegistryRepository,
    private readonly modelops: CatalogModelOpsPort,
    private readonly audit: AuditLogService,
  ) {}

  async list(principal: Principal, query: ListMcpServersQueryDto): Promise<McpServerPageDto> {
    const after = query.cursor ? decodeCursor<{ name: string }>(query.cursor, ['name']).name : undefined;
    const rows = await this.mcp.listServers(principal.workspaceId, query.limit, after);
    const page = toPage(rows, query.limit, (row) => ({ name: row.name }));
    return { data: page.data.map(toServerResponse), next_cursor: page.next_cursor };
  }

  async get(principal: Principal, id: string): Promise<McpServerResponseDto> {
    const row = await this.mcp.getServerWithCount(principal.workspaceId, id);
    if (!row) throw new NotFoundAppException('MCP server', id);
    return toServerResponse(row);
  }

  async require(principal: Principal, id: string): Promise<McpServerEntity> {
    const row = await this.mcp.getServer(principal.workspaceId, id);
    if (!row) throw new NotFoundAppException('MCP server', id);
    return row;
  }

  async create(principal: Principal, dto: CreateMcpServerDto): Promise<McpServerResponseDto> {
    const config: McpServerConfig = {
      transport: dto.transport,
      url: dto.url ?? null,
      command: dto.command ?? null,
      args: dto.args ?? [],
      env: dto.env ?? {},
      headers: dto.headers ?? {},
      secretRefs: dto.secret_refs ?? {},
    };
    await this.assertConfig(principal, config, {});
    const id = await this.write(dto.name, async (manager) => {
      const row = await this.mcp.insertServer(
        {
          workspaceId: principal.workspaceId,
          name: dto.name,
          description: dto.description ?? null,
          ...config,
          timeoutMs: dto.timeout_ms ?? null,
          createdByUserId: principal.userId,
        },
        manager,
      );
      await this.record(principal, 'catalog.mcp_server.created', row, manager);
      return row.id;
    });
    return this.get(principal, id);
  }

  /** PATCH: the merged settings are validated as a whole. */
  async update(principal: Principal, id: string, dto: UpdateMcpServerDto): Promise<McpServerResponseDto> {
    const row = await this.require(principal, id);
    const config: McpServerConfig = {
      transport: dto.transport ?? row.transport,
      url: dto.url !== undefined ? dto.url : row.url,
      command: dto.command !== undefined ? dto.command : row.command,
      args: dto.args ?? row.args,
      env: dto.env ?? row.env,
      headers: dto.headers ?? row.headers,
      secretRefs: dto.secret_refs ?? row.secretRefs,
    };
    await this.assertConfig(principal, config, row.secretRefs);
    await this.write(dto.name ?? row.name, async (manager) => {
      await this.mcp.updateServer(
        principal.workspaceId,
        id,
        {
          ...config,
          ...(dto.name !== undefined ? { name: dto.name } : {}),
          ...(dto.description !== undefined ? { description: dto.description } : {}),
          ...(dto.timeout_ms !== undefined ? { timeoutMs: dto.timeout_ms } : {}),
        },
        manager,
      );
      await this.record(principal, 'catalog.mcp_server.updated', { id, name: dto.name ?? row.name }, manager);
    });
    return this.get(principal, id);
  }

  /** Refused (409 `in_use`) while catalog tools run on the server; its tools go with it. */
  async delete(principal: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await this.mcp.lockServer(principal.workspaceId, id, manager, 'write');
      if (!row) throw new NotFoundAppException('MCP server', id);
      const tools = await this.registry.toolsOnMcpServer(principal.workspaceId, id, null, manager);
      if (tools.length > 0) {
        throw inUse(
          `MCP server ${row.name}`,
          tools.map((t) => `catalog tool ${t.key} (mcp.server_id, tool ${t.tool_name})`),
        );
      }
      await this.mcp.deleteServer(principal.workspaceId, id, manager);
      await this.record(principal, 'catalog.mcp_server.deleted', row, manager);
    });
  }

  /**
   * Shape rules, then who may attach credentials: ModelOps credentials are platform-wide secrets,
   * so adding or re-pointing a ref is for superadmins (403), and a ref must name a saved one (422).
   */
  private async assertConfig(
    principal: Principal,
    config: McpServerConfig,
    previousRefs: Record<string, string>,
  ): Promise<void> {
    const errors = mcpServerConfigErrors(config);
    if (errors.length > 0) throw new ValidationAppException(errors);
    const changed = changedRefs(previousRefs, config.secretRefs);
    if (changed.length > 0 && !principal.isSuperadmin) {
      throw new CatalogException(
        HttpStatus.FORBIDDEN,
        CatalogErrorCode.CredentialRefForbidden,
        `Only superadmins may attach ModelOps credentials (secret_refs ${changed.join(', ')})`,
      );
    }
    const wanted = credentialIds(config.secretRefs);
    const existing = await this.modelops.existingCredentials(wanted);
    const missing = Object.entries(config.secretRefs).filter(
      ([, ref]) => !existing.has(credentialIds({ ref })[0] ?? ''),
    );
    if (missing.length > 0) {
      throw new CatalogException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        CatalogErrorCode.UnknownReference,
        `No ModelOps credential ${missing.map(([, ref]) => ref).join(', ')}`,
        {
          errors: missing.map(([name, ref]) => ({
            field: `secret_refs.${name}`,
            message: `no ModelOps credential ${ref}`,
          })),
        },
      );
    }
  }

  private async write<T>(name: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (err) {
      if (violatedUniqueIndex(err) === 'uq_mcp_servers_workspace_name') throw nameTaken('An MCP server', name);
      throw err;
    }
  }

  private record(
    principal: Principal,
    action: string,
    row: Pick<McpServerEntity, 'id' | 'name'>,
    manager: EntityManager,
  ): Promise<void> {
    return this.audit.record(
      principal,
      {
        workspaceId: principal.workspaceId,
        action,
        targetType: 'mcp_server',
        targetId: row.id,
        data: { name: row.name },
      },
      manager,
    );
  }
}

export function toServerResponse(row: McpServerRow): McpServerResponseDto {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    name: row.name,
    description: row.description,
    transport: row.transport,
    url: row.url,
    command: row.command,
    args: row.args,
    env: row.env,
    headers: row.headers,
    secret_refs: row.secretRefs,
    timeout_ms: row.timeoutMs,
    tool_count: row.toolCount,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
