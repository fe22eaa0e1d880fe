import { Injectable } from '@nestjs/common';
import type { Classification, EntryStatus } from './catalog.constants';
import { McpRepository } from './mcp/mcp.repository';
import type { RegistryEntryEntity } from './registry/entities/registry-entry.entity';
import { RegistryRepository } from './registry/registry.repository';
import type { AgentSpec, ModelSelection, ToolSpec, WorkflowSettings } from './registry/specs';
import type { JsonSchemaObject } from './schema/json-schema.validator';
import { SuitesRepository } from './suites/suites.repository';
import { toolName } from './tools/catalog-tools.service';

export type { JsonSchemaObject } from './schema/json-schema.validator';
export type { ModelSelection, WorkflowSettings } from './registry/specs';

/** One action of a suite, as a function definition. */
export interface SuiteActionDefinition {
  name: string;
  description: string | null;
  /** JSON Schema (object root) of the arguments. */
  parametersSchema: JsonSchemaObject;
}

export type ToolSource = 'suite_action' | 'catalog_tool' | 'mcp_tool';

/** A callable tool by its function name, wherever the catalog defines it. */
export interface ToolDefinition {
  name: string;
  description: string | null;
  parametersSchema: JsonSchemaObject;
  outputSchema: JsonSchemaObject | null;
  source: ToolSource;
  /** The suite action's id, the catalog tool's key, or `<MCP server name>/<tool name>`. */
  ref: string;
}

/** An agent as its resolved registry version defines it. */
export interface AgentDefinition {
  id: string;
  key: string;
  version: number;
  classification: Classification;
  workspaceId: string | null;
  ownerUserId: string | null;
  displayName: string;
  description: string | null;
  status: EntryStatus;
  systemPrompt: string;
  modelSelection: ModelSelection;
  /** Catalog tool keys (`tool.web_search`) the agent may call; nothing else. */
  toolPolicy: { allowedTools: string[] };
  workflow: WorkflowSettings;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What the modules above catalog (examples, incidents) read of it. Inject `CatalogReader`
 * (exported by CatalogModule). Every method takes the caller's workspace first and sees only
 * what that workspace sees (its own rows and platform entries); nothing here writes.
 *
 * Tool names: a suite action's `name`; a catalog tool's key without `tool.` (`tool.web_search`
 * is `web_search`); an MCP tool's `name`. When several define one name, the first wins in this
 * order: the suite's actions, catalog tools, MCP tools (by server name). Results are ordered
 * deterministically (code-point order), so output built from them is reproducible.
 */
@Injectable()
export class CatalogReader {
  constructor(
    private readonly suites: SuitesRepository,
    private readonly mcp: McpRepository,
    private readonly registry: RegistryRepository,
  ) {}

  /** The suite's actions by name; `null` when the workspace has no such suite (sessions may name unknown suites). */
  async getSuiteActions(workspaceId: string, suiteId: string): Promise<SuiteActionDefinition[] | null> {
    if (!(await this.suites.getById(workspaceId, suiteId))) return null;
    const rows = await this.suites.allActions(workspaceId, suiteId);
    return rows
      .map((a) => ({ name: a.name, description: a.description, parametersSchema: a.parametersSchema }))
      .sort((a, b) => compare(a.name, b.name));
  }

  /**
   * The definitions of the tools of these names (those the catalog does not define are absent),
   * keyed and ordered as asked. A name may also be a catalog tool key (`tool.web_search`). With
   * `suiteId`, that suite's actions come first.
   */
  async getToolsByNames(workspaceId: string, names: string[], suiteId?: string): Promise<Map<string, ToolDefinition>> {
    const all = await this.definitions(workspaceId, suiteId);
    const byName = firstByName(all);
    const found = new Map<string, ToolDefinition>();
    for (const name of names) {
      const tool = byName.get(name) ?? all.find((t) => t.source === 'catalog_tool' && t.ref === name);
      if (tool && !found.has(name)) found.set(name, tool);
    }
    return found;
  }

  /** Tool name → input JSON Schema of everything callable in the workspace (and the suite's actions first). */
  async getToolSchemas(workspaceId: string, suiteId?: string): Promise<Map<string, JsonSchemaObject>> {
    const byName = firstByName(await this.definitions(workspaceId, suiteId));
    return new Map([...byName].map(([name, tool]) => [name, tool.parametersSchema]));
  }

  /**
   * An agent by key (`agent.knowledge_chat`) or id, at its current version or the one asked;
   * `null` when the workspace sees no such agent or version. Inactive agents are returned too
   * (check `status`).
   */
  async resolveAgent(workspaceId: string, agentKeyOrId: string, version?: number): Promise<AgentDefinition | null> {
    const entry = UUID.test(agentKeyOrId)
      ? await this.registry.getById('agent', workspaceId, agentKeyOrId)
      : await this.registry.getByKey('agent', workspaceId, agentKeyOrId);
    if (!entry) return null;
    const row =
      version === undefined || version === entry.currentVersion
        ? entry.current!
        : await this.registry.getVersion(entry.id, version);
    if (!row) return null;
    const spec = row.spec as unknown as AgentSpec;
    return {
      id: entry.id,
      key: entry.key,
      version: row.version,
      classification: entry.classification,
      workspaceId: entry.workspaceId,
      ownerUserId: entry.ownerUserId,
      displayName: spec.display_name,
      description: spec.description,
      status: spec.status,
      systemPrompt: spec.system_prompt,
      modelSelection: spec.model_selection,
      toolPolicy: { allowedTools: [...spec.tool_policy.allowed_tools] },
      workflow: { ...spec.workflow },
    };
  }

  /** Every definition in precedence order: suite actions, catalog tools, MCP tools (names may repeat). */
  private async definitions(workspaceId: string, suiteId?: string): Promise<ToolDefinition[]> {
    const out: ToolDefinition[] = [];
    if (suiteId) {
      const actions = (await this.suites.allActions(workspaceId, suiteId)).sort((a, b) => compare(a.name, b.name));
      for (const action of actions) {
        out.push({
          name: action.name,
          description: action.description,
          parametersSchema: action.parametersSchema,
          outputSchema: null,
          source: 'suite_action',
          ref: action.id,
        });
      }
    }
    const mcpTools = await this.mcp.workspaceTools(workspaceId);
    const mcpByRef = new Map(mcpTools.map((t) => [`${t.serverId}\u0000${t.name}`, t]));
    const catalogTools = (await this.registry.allVisible('tool', workspaceId)).sort((a, b) => compare(a.key, b.key));
    for (const entry of catalogTools) {
      const tool = catalogTool(entry, mcpByRef);
      if (tool) out.push(tool);
    }
    for (const t of mcpTools) {
      out.push({
        name: t.name,
        description: t.description,
        parametersSchema: t.inputSchema,
        outputSchema: t.outputSchema,
        source: 'mcp_tool',
        ref: `${t.serverName}/${t.name}`,
      });
    }
    return out;
  }
}

/** The first definition of each name, in order. */
function firstByName(tools: ToolDefinition[]): Map<string, ToolDefinition> {
  const byName = new Map<string, ToolDefinition>();
  for (const tool of tools) if (!byName.has(tool.name)) byName.set(tool.name, tool);
  return byName;
}

/** A catalog tool as a definition; one of a workspace MCP server without its own schema takes the MCP tool's. */
function catalogTool(
  entry: RegistryEntryEntity,
  mcpByRef: Map<string, { inputSchema: JsonSchemaObject; outputSchema: JsonSchemaObject | null }>,
): ToolDefinition | null {
  const spec = entry.current!.spec as unknown as ToolSpec;
  const bound = spec.mcp?.server_id ? mcpByRef.get(`${spec.mcp.server_id}\u0000${spec.mcp.tool_name}`) : undefined;
  const parametersSchema = spec.input_schema ?? bound?.inputSchema;
  if (!parametersSchema) return null;
  return {
    name: toolName(entry.key),
    description: spec.description,
    parametersSchema,
    outputSchema: spec.output_schema ?? bound?.outputSchema ?? null,
    source: 'catalog_tool',
    ref: entry.key,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
