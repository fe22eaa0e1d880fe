import { Injectable } from '@nestjs/common';
import type { Principal } from 'src/modules/auth/principal';
import type { RegistryVersionPageDto, ValidationReportDto } from '../registry/dto/registry.dto';
import type { RegistryEntryEntity } from '../registry/entities/registry-entry.entity';
import type { RegistryVersionEntity } from '../registry/entities/registry-version.entity';
import { RegistryService } from '../registry/registry.service';
import { type AgentSpec, normalizeSpec } from '../registry/specs';
import type {
  CatalogAgentPageDto,
  CatalogAgentResponseDto,
  CreateCatalogAgentDto,
  ListCatalogEntriesQueryDto,
  ReplaceCatalogAgentDto,
} from './dto/catalog-agent.dto';

/** The typed face of the registry's agents: DTOs in and out, every write a new version. */
@Injectable()
export class CatalogAgentsService {
  constructor(private readonly registry: RegistryService) {}

  async list(principal: Principal, query: ListCatalogEntriesQueryDto): Promise<CatalogAgentPageDto> {
    const page = await this.registry.list(principal, 'agent', query.limit, query.cursor, query.classification);
    return { data: page.data.map((e) => toAgentResponse(e, e.current!)), next_cursor: page.next_cursor };
  }

  async get(principal: Principal, id: string): Promise<CatalogAgentResponseDto> {
    const entry = await this.registry.require(principal, 'agent', id);
    return toAgentResponse(entry, entry.current!);
  }

  async create(principal: Principal, dto: CreateCatalogAgentDto): Promise<CatalogAgentResponseDto> {
    const entry = await this.registry.create(
      principal,
      'agent',
      { key: dto.key, classification: dto.classification ?? 'user', ownerUserId: dto.owner_user_id },
      normalizeSpec('agent', dto),
    );
    return toAgentResponse(entry, entry.current!);
  }

  async replace(principal: Principal, id: string, dto: ReplaceCatalogAgentDto): Promise<CatalogAgentResponseDto> {
    const entry = await this.registry.publish(principal, 'agent', id, normalizeSpec('agent', dto));
    return toAgentResponse(entry, entry.current!);
  }

  validate(principal: Principal, id: string): Promise<ValidationReportDto> {
    return this.registry.validate(principal, 'agent', id);
  }

  delete(principal: Principal, id: string): Promise<void> {
    return this.registry.remove(principal, 'agent', id);
  }

  versions(principal: Principal, id: string, limit: number, cursor?: string): Promise<RegistryVersionPageDto> {
    return this.registry.versions(principal, 'agent', id, limit, cursor);
  }

  async version(principal: Principal, id: string, version: number): Promise<CatalogAgentResponseDto> {
    const found = await this.registry.version(principal, 'agent', id, version);
    return toAgentResponse(found.entry, found.version);
  }
}

export function toAgentResponse(entry: RegistryEntryEntity, version: RegistryVersionEntity): CatalogAgentResponseDto {
  const spec = version.spec as unknown as AgentSpec;
  return {
    id: entry.id,
    key: entry.key,
    classification: entry.classification,
    workspace_id: entry.workspaceId,
    owner_user_id: entry.ownerUserId,
    version: version.version,
    current_version: entry.currentVersion,
    display_name: spec.display_name,
    description: spec.description,
    status: spec.status,
    system_prompt: spec.system_prompt,
    model_selection: spec.model_selection,
    tool_policy: spec.tool_policy,
    workflow: spec.workflow,
    version_created_by: version.createdByUserId,
    created_at: entry.createdAt.toISOString(),
    version_created_at: version.createdAt.toISOString(),
  };
}
