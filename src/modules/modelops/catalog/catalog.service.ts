import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FieldError, ValidationAppException } from 'src/common/errors/app.exception';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { isUniqueViolation, ModelOpsErrorCode, ModelOpsException } from '../modelops.exception';
import { ModelsRepository } from '../models/models.repository';
import { CatalogRepository } from './catalog.repository';
import { CatalogItemResponseDto, CreateCatalogItemDto, ListCatalogQueryDto } from './dto/catalog.dto';
import { CatalogItemEntity } from './entities/catalog-item.entity';

/** The curated catalog superadmins pick models from: hub repositories to download, cloud models to register. */
@Injectable()
export class CatalogService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly catalog: CatalogRepository,
    private readonly models: ModelsRepository,
    private readonly audit: AuditLogService,
  ) {}

  async list(query: ListCatalogQueryDto): Promise<CatalogItemResponseDto[]> {
    const items = await this.catalog.list(query);
    const modelIds = await this.models.idsByCatalogItem(items.map((item) => item.id));
    return items.map((item) => this.toResponse(item, modelIds.get(item.id) ?? []));
  }

  async create(principal: Principal, dto: CreateCatalogItemDto): Promise<CatalogItemResponseDto> {
    const errors: FieldError[] = [];
    if (dto.hosting === 'local' && !dto.source_id)
      errors.push({ field: 'source_id', message: 'a local model needs its hub repository' });
    if (dto.hosting === 'cloud' && !dto.provider_model_id) {
      errors.push({ field: 'provider_model_id', message: "a cloud model needs the provider's model id" });
    }
    if (errors.length > 0) throw new ValidationAppException(errors);
    try {
      const item = await this.dataSource.transaction(async (manager) => {
        const created = await this.catalog.create(
          {
            name: dto.name,
            description: dto.description ?? null,
            hosting: dto.hosting,
            task: dto.task,
            provider: dto.provider ?? (dto.hosting === 'local' ? 'huggingface' : 'openai_compatible'),
            sourceId: dto.source_id ?? null,
            providerModelId: dto.provider_model_id ?? null,
            metadata: dto.metadata ?? {},
            createdByUserId: principal.userId,
          },
          manager,
        );
        await this.audit.record(
          principal,
          {
            workspaceId: null,
            action: 'modelops.catalog_item.created',
            targetType: 'modelops_catalog_item',
            targetId: created.id,
            data: { name: created.name, hosting: created.hosting },
          },
          manager,
        );
        return created;
      });
      return this.toResponse(item, []);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ModelOpsException(
          HttpStatus.CONFLICT,
          ModelOpsErrorCode.NameTaken,
          `A catalog item named ${dto.name} exists`,
        );
      }
      throw err;
    }
  }

  private toResponse(row: CatalogItemEntity, modelIds: string[]): CatalogItemResponseDto {
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      hosting: row.hosting,
      task: row.task,
      provider: row.provider,
      source_id: row.sourceId,
      provider_model_id: row.providerModelId,
      metadata: row.metadata,
      model_ids: modelIds,
      created_at: row.createdAt.toISOString(),
    };
  }
}
