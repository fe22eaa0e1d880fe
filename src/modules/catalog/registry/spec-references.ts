import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { FieldError } from 'src/common/errors/app.exception';
import type { RegistryKind } from '../catalog.constants';
import { McpRepository } from '../mcp/mcp.repository';
import { CatalogModelOpsPort } from '../modelops.port';
import { jsonSchemaErrors } from '../schema/json-schema.validator';
import { RegistryRepository } from './registry.repository';
import type { AgentSpec, AnySpec, ModelSelection, ToolSpec } from './specs';

export interface ReferenceIssues {
  /** What refuses a write: names something that does not exist or may not be used from here. */
  errors: FieldError[];
  /** What a validation reports but a write allows (an inactive tool, a model not yet bindable). */
  warnings: FieldError[];
}

/**
 * The checks of a spec against the rest of the catalog and ModelOps. With a transaction, the rows
 * referenced are share-locked, so they cannot be deleted before the new version commits (their
 * deletes lock them for update and then look for references).
 */
@Injectable()
export class SpecReferences {
  constructor(
    private readonly registry: RegistryRepository,
    private readonly mcp: McpRepository,
    private readonly modelops: CatalogModelOpsPort,
  ) {}

  /**
   * @param workspaceId the entry's workspace; `null` for a platform entry, which may reference
   *   platform entries only (never a workspace's MCP server or tool).
   */
  async check(
    kind: RegistryKind,
    spec: AnySpec,
    workspaceId: string | null,
    prefix: string,
    manager: EntityManager,
    lock: boolean,
  ): Promise<ReferenceIssues> {
    const issues: ReferenceIssues = { errors: [], warnings: [] };
    switch (kind) {
      case 'agent':
        await this.checkAgent(spec as AgentSpec, workspaceId, prefix, manager, lock, issues);
        break;
      case 'tool':
        await this.checkTool(spec as ToolSpec, workspaceId, prefix, manager, lock, issues);
        break;
      case 'model':
        break;
    }
    if ('model_selection' in spec) await this.checkModel(spec.model_selection, prefix, issues);
    return issues;
  }

  private async checkAgent(
    spec: AgentSpec,
    workspaceId: string | null,
    prefix: string,
    manager: EntityManager,
    lock: boolean,
    issues: ReferenceIssues,
  ): Promise<void> {
    const keys = spec.tool_policy.allowed_tools;
    const found = lock
      ? await this.registry.lockKeysShared('tool', workspaceId, keys, manager)
      : await Promise.all(keys.map((key) => this.registry.getByKey('tool', workspaceId, key, manager))).then((rows) =>
          rows.filter((row) => row !== null),
        );
    const byKey = new Map(found.map((row) => [row.key, row]));
    keys.forEach((key, i) => {
      const field = `${prefix}tool_policy.allowed_tools.${i}`;
      const tool = byKey.get(key);
      if (!tool) {
        issues.errors.push({
          field,
          message:
            workspaceId === null
              ? `no platform catalog tool ${key} (platform agents may allow platform tools only)`
              : `no catalog tool ${key}`,
        });
      } else if ((tool.current?.spec as { status?: string } | undefined)?.status === 'inactive') {
        issues.warnings.push({ field, message: `catalog tool ${key} is inactive` });
      }
    });
  }

  private async checkTool(
    spec: ToolSpec,
    workspaceId: string | null,
    prefix: string,
    manager: EntityManager,
    lock: boolean,
    issues: ReferenceIssues,
  ): Promise<void> {
    const serverId = spec.mcp?.server_id;
    if (!spec.mcp || !serverId) return;
    const field = `${prefix}mcp.server_id`;
    if (workspaceId === null) {
      issues.errors.push({
        field,
        message:
          'platform tools reach MCP through the platform gateway: omit server_id (workspace servers are for user tools)',
      });
      return;
    }
    const server = lock
      ? await this.mcp.lockServer(workspaceId, serverId, manager, 'share')
      : await this.mcp.getServer(workspaceId, serverId, manager);
    if (!server) {
      issues.errors.push({ field, message: `no MCP server ${serverId} in this workspace` });
      return;
    }
    const tool = await this.mcp.getToolByName(workspaceId, serverId, spec.mcp.tool_name, manager);
    if (!tool) {
      issues.errors.push({
        field: `${prefix}mcp.tool_name`,
        message: `MCP server ${server.name} has no tool ${spec.mcp.tool_name} (import its tools/list first)`,
      });
    } else if (!spec.input_schema) {
      // The tool's schema is the MCP tool's: say so if that schema no longer validates.
      for (const e of jsonSchemaErrors(tool.inputSchema, 'inputSchema')) {
        issues.warnings.push({
          field: `${prefix}mcp.tool_name`,
          message: `the schema of MCP tool ${server.name}/${tool.name} is not valid: ${e.field} ${e.message}`,
        });
      }
    }
  }

  private async checkModel(selection: ModelSelection, prefix: string, issues: ReferenceIssues): Promise<void> {
    if (selection.mode !== 'managed_model' || !selection.model_id) return;
    const field = `${prefix}model_selection.model_id`;
    if (!(await this.modelops.existingModels([selection.model_id])).has(selection.model_id)) {
      issues.errors.push({ field, message: `no ModelOps model ${selection.model_id}` });
    } else if (!(await this.modelops.isBindable(selection.model_id))) {
      issues.warnings.push({
        field,
        message: `ModelOps model ${selection.model_id} is not active with a current successful validation`,
      });
    }
  }
}
