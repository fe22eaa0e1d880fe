/**
 * Catalog: what agents may do. Suites and their actions, MCP servers and their tools (workspace
 * scoped), and the registry of models, agents and tools (platform-wide or a workspace's) with
 * its typed catalog face. Routes: `/v1/suites`, `/v1/mcp-servers`, `/v1/catalog/*`,
 * `/v1/registry/*`.
 *
 * What the layers above (sessions, examples, incidents) may use — import `CatalogModule` and inject:
 *
 * - `CatalogReader` (see catalog-reader.ts), every method workspace-first and read-only:
 *   - `getSuiteActions(workspaceId, suiteId): Promise<SuiteActionDefinition[] | null>` —
 *     `{name, description, parametersSchema}` by name; `null` for no such suite.
 *   - `getToolsByNames(workspaceId, names, suiteId?): Promise<Map<string, ToolDefinition>>` —
 *     `{name, description, parametersSchema, outputSchema, source, ref}` of the names the catalog
 *     defines, keyed and ordered as asked; a name may be a function name (`web_search`; suite
 *     actions first, then catalog tools, then MCP tools) or a catalog tool key (`tool.web_search`).
 *   - `getToolSchemas(workspaceId, suiteId?): Promise<Map<string, JsonSchemaObject>>` — tool
 *     name → input JSON Schema of everything callable (same precedence).
 *   - `resolveAgent(workspaceId, agentKeyOrId, version?): Promise<AgentDefinition | null>` —
 *     system prompt, model selection, tool policy (`allowedTools`), workflow settings, version.
 * - `SuiteReferenceRegistry.register(async (workspaceId, suiteId) => string[])` — at
 *   `onModuleInit`, report what of yours references a suite (e.g. `example 5f… (ready)`); a
 *   suite with any reference (or any session) cannot be deleted (409 `in_use` naming them).
 * - `RegistryService.publish(principal, kind, id, spec)` — the next version of an entry, with the
 *   same reference checks and audit row as a catalog update (the fix agent's apply); the caller
 *   checks who may write it.
 *
 * Catalog sits beside ModelOps (which imports only users): MCP server secrets are ModelOps
 * credential refs and agents may name ModelOps models, and catalog registers those uses so
 * ModelOps refuses to delete what is referenced.
 */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ModelOpsModule } from 'src/modules/modelops/modelops.module';
import { UsersModule } from 'src/modules/users/users.module';
import { CatalogAgentsController } from './agents/catalog-agents.controller';
import { CatalogAgentsService } from './agents/catalog-agents.service';
import { SuiteReferenceRegistry } from './catalog-references';
import { CatalogReader } from './catalog-reader';
import { CatalogHooks } from './catalog.hooks';
import { McpServerEntity } from './mcp/entities/mcp-server.entity';
import { McpToolEntity } from './mcp/entities/mcp-tool.entity';
import { McpServersController } from './mcp/mcp-servers.controller';
import { McpServersService } from './mcp/mcp-servers.service';
import { McpToolsController } from './mcp/mcp-tools.controller';
import { McpToolsService } from './mcp/mcp-tools.service';
import { McpRepository } from './mcp/mcp.repository';
import { CatalogModelOpsPort } from './modelops.port';
import { RegistryEntryEntity } from './registry/entities/registry-entry.entity';
import { RegistryVersionEntity } from './registry/entities/registry-version.entity';
import { RegistryController } from './registry/registry.controller';
import { RegistryRepository } from './registry/registry.repository';
import { RegistryService } from './registry/registry.service';
import { SpecReferences } from './registry/spec-references';
import { SuiteActionEntity } from './suites/entities/suite-action.entity';
import { SuiteEntity } from './suites/entities/suite.entity';
import { SuiteActionsController } from './suites/suite-actions.controller';
import { SuiteActionsService } from './suites/suite-actions.service';
import { SuitesController } from './suites/suites.controller';
import { SuitesRepository } from './suites/suites.repository';
import { SuitesService } from './suites/suites.service';
import { CatalogToolsController } from './tools/catalog-tools.controller';
import { CatalogToolsService } from './tools/catalog-tools.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([
      SuiteEntity,
      SuiteActionEntity,
      McpServerEntity,
      McpToolEntity,
      RegistryEntryEntity,
      RegistryVersionEntity,
    ]),
    UsersModule,
    ModelOpsModule,
  ],
  controllers: [
    SuitesController,
    SuiteActionsController,
    McpServersController,
    McpToolsController,
    CatalogAgentsController,
    CatalogToolsController,
    RegistryController,
  ],
  providers: [
    CatalogModelOpsPort,
    SuiteReferenceRegistry,
    SuitesRepository,
    McpRepository,
    RegistryRepository,
    SpecReferences,
    SuitesService,
    SuiteActionsService,
    McpServersService,
    McpToolsService,
    RegistryService,
    CatalogAgentsService,
    CatalogToolsService,
    CatalogReader,
    CatalogHooks,
  ],
  exports: [CatalogReader, SuiteReferenceRegistry, RegistryService],
})
export class CatalogModule {}
