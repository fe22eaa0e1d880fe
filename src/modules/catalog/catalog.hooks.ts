import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { McpRepository } from './mcp/mcp.repository';
import { CatalogModelOpsPort } from './modelops.port';
import { PLATFORM_SEEDS } from './registry/platform-seeds';
import { RegistryRepository } from './registry/registry.repository';

/**
 * At init, tells ModelOps who uses its credentials (MCP server secret refs) and managed models
 * (agent and model specs), so it refuses to delete them. At bootstrap, seeds the platform
 * entries (`agent.knowledge_chat`, `tool.web_search`, `tool.python_exec`) unless present:
 * idempotent and safe when replicas boot together (ON CONFLICT on the platform key index).
 */
@Injectable()
export class CatalogHooks implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(CatalogHooks.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly modelops: CatalogModelOpsPort,
    private readonly mcp: McpRepository,
    private readonly registry: RegistryRepository,
  ) {}

  onModuleInit(): void {
    this.modelops.registerCredentialReferences(async (credentialId) =>
      (await this.mcp.serversUsingCredential(credentialId)).map(
        (s) => `MCP server "${s.name}" (workspace ${s.workspace_id}, secret_refs)`,
      ),
    );
    this.modelops.registerModelReferences(async (modelId) =>
      (await this.registry.usingManagedModel(modelId)).map(
        (e) => `${e.kind} "${e.key}" (version ${e.version}, model_selection)`,
      ),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    const seeded = await this.dataSource.transaction(async (manager) => {
      const created: string[] = [];
      for (const seed of PLATFORM_SEEDS) {
        if (await this.registry.seedPlatform(seed.kind, seed.key, seed.spec, manager)) created.push(seed.key);
      }
      return created;
    });
    if (seeded.length > 0) this.logger.log(`Seeded platform catalog entries: ${seeded.join(', ')}`);
  }
}
