import { Injectable } from '@nestjs/common';
import type { Principal } from 'src/modules/auth/principal';
import type { ListCatalogEntriesQueryDto } from '../agents/dto/catalog-agent.dto';
import type { RegistryVersionPageDto, ValidationReportDto } from '../registry/dto/registry.dto';
import type { RegistryEntryEntity } from '../registry/entities/registry-entry.entity';
import type { RegistryVersionEntity } from '../registry/entities/registry-version.entity';
import { RegistryService } from '../registry/registry.service';
import { normalizeSpec, type ToolSpec } from '../registry/specs';
import type {
  CatalogToolPageDto,
  CatalogToolResponseDto,
  CreateCatalogToolDto,
  ReplaceCatalogToolDto,
} from './dto/catalog-tool.dto';

/** The typed face of the registry's tools: DTOs in and out, every write a new version. */
@Injectable()
export class CatalogToolsService {
  constructor(private readonly registry: RegistryService) {}

  async list(principal: Principal, query: ListCatalogEntriesQueryDto): Promise<CatalogToolPageDto> {
    const page = await this.registry.list(principal, 'tool', query.limit, query.cursor, query.classification);
    return { data: page.data.map((e) => toToolResponse(e, e.current!)), next_cursor: page.next_cursor };
  }

  async get(principal: Principal, id: string): Promise<CatalogToolResponseDto> {
    const entry = await this.registry.require(principal, 'tool', id);
    return toToolResponse(entry, entry.current!);
  }

  async create(principal: Principal, dto: CreateCatalogToolDto): Promise<CatalogToolResponseDto> {
    const entry = await this.registry.create(
      principal,
      'tool',
      { key: dto.key, classification: dto.classification ?? 'user' },
      normalizeSpec('tool', dto),
    );
    return toToolResponse(entry, entry.current!);
  }

  async replace(principal: Principal, id: string, dto: ReplaceCatalogToolDto): Promise<CatalogToolResponseDto> {
    const entry = await this.registry.publish(principal, 'tool', id, normalizeSpec('tool', dto));
    return toToolResponse(entry, entry.current!);
  }

  validate(principal: Principal, id: string): Promise<ValidationReportDto> {
    return this.registry.validate(principal, 'tool', id);
  }

  delete(principal: Principal, id: string): Promise<void> {
    return this.registry.remove(principal, 'tool', id);
  }

  versions(principal: Principal, id: string, limit: number, cursor?: string): Promise<RegistryVersionPageDto> {
    return this.registry.versions(principal, 'tool', id, limit, cursor);
  }

  async version(principal: Principal, id: string, version: number): Promise<CatalogToolResponseDto> {
    const found = await this.registry.version(principal, 'tool', id, version);
    return toToolResponse(found.entry, found.version);
  }
}

/** A tool's function name: its key without `tool.`. */
export function toolName(key: string): string {
  return key.slice('tool.'.length);
}

export function toToolResponse(entry: RegistryEntryEntity, version: RegistryVersionEntity): CatalogToolResponseDto {
  const spec = version.spec as unknown as ToolSpec;
  return {
    id: entry.id,
    key: entry.key,
    name: toolName(entry.key),
    classification: entry.classification,
    workspace_id: entry.workspaceId,
    version: version.version,
    current_version: entry.currentVersion,
    display_name: spec.display_name,
    description: spec.description,
    status: spec.status,
    transport: spec.transport,
    connection_profile_ref: spec.connection_profile_ref,
    input_schema: spec.input_schema,
    output_schema: spec.output_schema,
    mcp: spec.mcp,
    sandbox_http: spec.sandbox_http,
    online_only: spec.online_only,
    version_created_by: version.createdByUserId,
    created_at: entry.createdAt.toISOString(),
    version_created_at: version.createdAt.toISOString(),
  };
}
