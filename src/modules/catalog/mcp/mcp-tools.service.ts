import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { decodeCursor, toPage } from 'src/common/pagination/cursor';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { CatalogErrorCode, CatalogException, inUse, nameTaken, violatedUniqueIndex } from '../catalog.exception';
import { RegistryRepository } from '../registry/registry.repository';
import { assertJsonSchema } from '../schema/json-schema.validator';
import type {
  CreateMcpToolDto,
  ImportMcpToolsResponseDto,
  ImportOutcome,
  ListMcpToolsQueryDto,
  McpToolPageDto,
  McpToolResponseDto,
  UpdateMcpToolDto,
} from './dto/mcp-tool.dto';
import type { McpServerEntity } from './entities/mcp-server.entity';
import type { McpToolEntity } from './entities/mcp-tool.entity';
import { McpRepository } from './mcp.repository';
import { type ParsedMcpTool, parseToolsList } from './tools-list.parser';

/**
 * The tools of an MCP server: by hand or imported from its `tools/list` result. Every write
 * locks the server row, so tool writes, imports and the server's delete serialize, and catalog
 * tools (which share-lock it) never point at a tool being removed.
 */
@Injectable()
export class McpToolsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly mcp: McpRepository,
    private readonly registry: RegistryRepository,
    private readonly audit: AuditLogService,
  ) {}

  async list(principal: Principal, serverId: string, query: ListMcpToolsQueryDto): Promise<McpToolPageDto> {
    await this.requireServer(principal, serverId);
    const after = query.cursor ? decodeCursor<{ name: string }>(query.cursor, ['name']).name : undefined;
    const rows = await this.mcp.listTools(principal.workspaceId, serverId, query.limit, after);
    const page = toPage(rows, query.limit, (row) => ({ name: row.name }));
    return { data: page.data.map(toToolResponse), next_cursor: page.next_cursor };
  }

  async get(principal: Principal, serverId: string, id: string): Promise<McpToolResponseDto> {
    return toToolResponse(await this.require(principal, serverId, id));
  }

  async create(principal: Principal, serverId: string, dto: CreateMcpToolDto): Promise<McpToolResponseDto> {
    await this.requireServer(principal, serverId);
    assertJsonSchema(dto.input_schema, 'input_schema');
    if (dto.output_schema) assertJsonSchema(dto.output_schema, 'output_schema');
    const id = await this.write(principal, serverId, dto.name, async (manager) => {
      const row = await this.mcp.insertTool(
        {
          workspaceId: principal.workspaceId,
          serverId,
          name: dto.name,
          title: dto.title ?? null,
          description: dto.description ?? null,
          inputSchema: dto.input_schema,
          outputSchema: dto.output_schema ?? null,
          annotations: dto.annotations ?? {},
        },
        manager,
      );
      await this.record(principal, 'catalog.mcp_tool.created', serverId, { tool: row.name }, manager);
      return row.id;
    });
    return this.get(principal, serverId, id);
  }

  /** A rename is refused (409) while catalog tools call the tool by its current name. */
  async update(principal: Principal, serverId: string, id: string, dto: UpdateMcpToolDto): Promise<McpToolResponseDto> {
    const row = await this.require(principal, serverId, id);
    if (dto.input_schema) assertJsonSchema(dto.input_schema, 'input_schema');
    if (dto.output_schema) assertJsonSchema(dto.output_schema, 'output_schema');
    await this.write(principal, serverId, dto.name ?? row.name, async (manager, server) => {
      if (dto.name !== undefined && dto.name !== row.name) await this.assertUnused(server, [row.name], manager);
      await this.mcp.updateTool(
        principal.workspaceId,
        id,
        {
          ...(dto.name !== undefined ? { name: dto.name } : {}),
          ...(dto.title !== undefined ? { title: dto.title } : {}),
          ...(dto.description !== undefined ? { description: dto.description } : {}),
          ...(dto.input_schema !== undefined ? { inputSchema: dto.input_schema } : {}),
          ...(dto.output_schema !== undefined ? { outputSchema: dto.output_schema } : {}),
          ...(dto.annotations !== undefined ? { annotations: dto.annotations } : {}),
        },
        manager,
      );
      await this.record(principal, 'catalog.mcp_tool.updated', serverId, { tool: dto.name ?? row.name }, manager);
    });
    return this.get(principal, serverId, id);
  }

  /** Refused (409 `in_use`) while catalog tools call it. */
  async delete(principal: Principal, serverId: string, id: string): Promise<void> {
    const row = await this.require(principal, serverId, id);
    await this.write(principal, serverId, row.name, async (manager, server) => {
      await this.assertUnused(server, [row.name], manager);
      await this.mcp.deleteTools(principal.workspaceId, [id], manager);
      await this.record(principal, 'catalog.mcp_tool.deleted', serverId, { tool: row.name }, manager);
    });
  }

  /**
   * Upserts the server's tools from an MCP `tools/list` result (see parseToolsList): new names are
   * created, changed ones updated, identical ones left alone. With `prune`, tools the list leaves
   * out are deleted, which a partial list (`nextCursor`) cannot say. All or nothing.
   */
  async import(
    principal: Principal,
    serverId: string,
    body: unknown,
    prune: boolean,
  ): Promise<ImportMcpToolsResponseDto> {
    await this.requireServer(principal, serverId);
    const parsed = parseToolsList(body);
    if (prune && parsed.nextCursor !== null) {
      throw new CatalogException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        CatalogErrorCode.InvalidToolsList,
        'This tools/list page has a nextCursor: pruning needs the complete list',
        { errors: [{ field: 'nextCursor', message: 'must be absent when prune=true' }] },
      );
    }
    const outcomes: { name: string; outcome: ImportOutcome }[] = [];
    await this.write(principal, serverId, '', async (manager, server) => {
      const existing = new Map(
        (await this.mcp.toolsOfServer(principal.workspaceId, serverId, manager)).map((t) => [t.name, t]),
      );
      for (const tool of parsed.tools) {
        const current = existing.get(tool.name);
        existing.delete(tool.name);
        if (!current) {
          await this.mcp.insertTool({ workspaceId: principal.workspaceId, serverId, ...toColumns(tool) }, manager);
          outcomes.push({ name: tool.name, outcome: 'created' });
        } else if (sameTool(current, tool)) {
          outcomes.push({ name: tool.name, outcome: 'unchanged' });
        } else {
          await this.mcp.updateTool(principal.workspaceId, current.id, toColumns(tool), manager);
          outcomes.push({ name: tool.name, outcome: 'updated' });
        }
      }
      if (prune && existing.size > 0) {
        const left = [...existing.values()];
        await this.assertUnused(
          server,
          left.map((t) => t.name),
          manager,
        );
        await this.mcp.deleteTools(
          principal.workspaceId,
          left.map((t) => t.id),
          manager,
        );
        outcomes.push(...left.map((t) => ({ name: t.name, outcome: 'removed' as const })));
      }
      await this.record(principal, 'catalog.mcp_tool.imported', serverId, count(outcomes), manager);
    });
    return { ...count(outcomes), next_cursor: parsed.nextCursor, tools: outcomes };
  }

  private async requireServer(principal: Principal, serverId: string): Promise<void> {
    if (!(await this.mcp.getServer(principal.workspaceId, serverId)))
      throw new NotFoundAppException('MCP server', serverId);
  }

  private async require(principal: Principal, serverId: string, id: string): Promise<McpToolEntity> {
    await this.requireServer(principal, serverId);
    const row = await this.mcp.getTool(principal.workspaceId, serverId, id);
    if (!row) throw new NotFoundAppException('MCP tool', id);
    return row;
  }

  private async assertUnused(server: McpServerEntity, names: string[], manager: EntityManager): Promise<void> {
    const refs = await this.registry.toolsOnMcpServer(server.workspaceId, server.id, names, manager);
    if (refs.length > 0) {
      throw inUse(
        `MCP tool ${[...new Set(refs.map((r) => r.tool_name))].join(', ')} of ${server.name}`,
        refs.map((r) => `catalog tool ${r.key} (mcp.tool_name ${r.tool_name})`),
      );
    }
  }

  private async write<T>(
    principal: Principal,
    serverId: string,
    name: string,
    work: (manager: EntityManager, server: McpServerEntity) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const server = await this.mcp.lockServer(principal.workspaceId, serverId, manager, 'write');
        if (!server) throw new NotFoundAppException('MCP server', serverId);
        return work(manager, server);
      });
    } catch (err) {
      if (violatedUniqueIndex(err) === 'uq_mcp_tools_server_name') throw nameTaken('A tool of this MCP server', name);
      throw err;
    }
  }

  private record(
    principal: Principal,
    action: string,
    serverId: string,
    data: Record<string, unknown>,
    manager: EntityManager,
  ): Promise<void> {
    return this.audit.record(
      principal,
      { workspaceId: principal.workspaceId, action, targetType: 'mcp_server', targetId: serverId, data },
      manager,
    );
  }
}

function toColumns(tool: ParsedMcpTool): Partial<McpToolEntity> {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    annotations: tool.annotations,
  };
}

/** jsonb reorders object keys, so compare documents canonically. */
function sameTool(row: McpToolEntity, tool: ParsedMcpTool): boolean {
  return (
    row.title === tool.title &&
    row.description === tool.description &&
    canonical(row.inputSchema) === canonical(tool.inputSchema) &&
    canonical(row.outputSchema) === canonical(tool.outputSchema) &&
    canonical(row.annotations) === canonical(tool.annotations)
  );
}

export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function count(outcomes: { outcome: ImportOutcome }[]) {
  const n = (outcome: ImportOutcome) => outcomes.filter((o) => o.outcome === outcome).length;
  return { created: n('created'), updated: n('updated'), unchanged: n('unchanged'), removed: n('removed') };
}

export function toToolResponse(row: McpToolEntity): McpToolResponseDto {
  return {
    id: row.id,
    server_id: row.serverId,
    name: row.name,
    title: row.title,
    description: row.description,
    input_schema: row.inputSchema,
    output_schema: row.outputSchema,
    annotations: row.annotations,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
