import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FieldError, NotFoundAppException, ValidationAppException } from 'src/common/errors/app.exception';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { WorkspacesRepository } from 'src/modules/users/workspaces.repository';
import { ModelsRepository } from '../models/models.repository';
import { GetModelSharingQueryDto, ModelSharingDto, ModelSharingListDto, PutModelSharingDto } from './dto/sharing.dto';
import { ModelGrantEntity } from './entities/model-grant.entity';
import { SharingRepository } from './sharing.repository';

/**
 * Which workspaces and roles may use which models. A grant lets the members of a workspace (or
 * of every workspace) with at least `min_role` list and read the model while it is active.
 */
@Injectable()
export class SharingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly grants: SharingRepository,
    private readonly models: ModelsRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly audit: AuditLogService,
  ) {}

  async get(query: GetModelSharingQueryDto): Promise<ModelSharingListDto> {
    if (query.model_id && !(await this.models.getById(query.model_id))) {
      throw new NotFoundAppException('Model', query.model_id);
    }
    const rows = await this.grants.list(query.model_id);
    const modelIds = query.model_id ? [query.model_id] : [...new Set(rows.map((r) => r.modelId))];
    const models = new Map(
      (await this.models.getManyByIds(modelIds)).filter((m) => m.lifecycleState !== 'deleted').map((m) => [m.id, m]),
    );
    return {
      data: modelIds
        .filter((id) => models.has(id))
        .map((id) =>
          this.toResponse(
            id,
            models.get(id)!.name,
            rows.filter((r) => r.modelId === id),
          ),
        ),
    };
  }

  /** Replaces the model's grants; 422 naming unknown or repeated workspaces. */
  async put(principal: Principal, dto: PutModelSharingDto): Promise<ModelSharingDto> {
    const model = await this.models.getById(dto.model_id);
    if (!model) throw new NotFoundAppException('Model', dto.model_id);
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    const named = dto.grants.map((g) => g.workspace_id).filter((id): id is string => id !== null);
    const existing = new Set(named.length ? (await this.workspaces.listWorkspaces(named)).map((w) => w.id) : []);
    dto.grants.forEach((grant, i) => {
      const key = grant.workspace_id ?? '*';
      if (seen.has(key)) errors.push({ field: `grants.${i}.workspace_id`, message: 'this workspace is granted twice' });
      seen.add(key);
      if (grant.workspace_id && !existing.has(grant.workspace_id)) {
        errors.push({ field: `grants.${i}.workspace_id`, message: 'no such workspace' });
      }
    });
    if (errors.length > 0) throw new ValidationAppException(errors);
    await this.dataSource.transaction(async (manager) => {
      await this.grants.replace(
        model.id,
        dto.grants.map((g) => ({
          workspaceId: g.workspace_id,
          minRole: g.min_role,
          createdByUserId: principal.userId,
        })),
        manager,
      );
      await this.audit.record(
        principal,
        {
          workspaceId: null,
          action: 'modelops.model.sharing_replaced',
          targetType: 'modelops_model',
          targetId: model.id,
          data: { name: model.name, grants: dto.grants },
        },
        manager,
      );
    });
    return this.toResponse(model.id, model.name, await this.grants.list(model.id));
  }

  private toResponse(modelId: string, name: string, grants: ModelGrantEntity[]): ModelSharingDto {
    return {
      model_id: modelId,
      model_name: name,
      grants: grants.map((g) => ({ workspace_id: g.workspaceId, min_role: g.minRole })),
    };
  }
}
