import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { FieldError, NotFoundAppException, ValidationAppException } from 'src/common/errors/app.exception';
import { toPage } from 'src/common/pagination/cursor';
import { Principal, ROLE_RANK, WORKSPACE_ROLES } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { CatalogRepository } from '../catalog/catalog.repository';
import { CredentialsRepository } from '../credentials/credentials.repository';
import { DownloadsRepository } from '../downloads/downloads.repository';
import {
  ACTIONS_GUARDED_BY_REFERENCES,
  assertTransition,
  MODEL_ACTIONS,
  ModelAction,
  nextState,
} from '../lifecycle/model-lifecycle';
import { isUniqueViolation, ModelOpsErrorCode, ModelOpsException } from '../modelops.exception';
import { ModelReferenceRegistry } from '../references/model-reference.registry';
import { CreateModelDto, ListModelsQueryDto, ModelPageDto, ModelResponseDto } from './dto/model.dto';
import { ModelEntity } from './entities/model.entity';
import { cursorOf, positionOf } from '../modelops.pagination';
import { ModelsRepository } from './models.repository';

/** A managed model as other modules receive it (the same shape the API returns). */
export type ManagedModel = ModelResponseDto;

/** Lifecycle actions that only change the state (validate and test run checks: ModelChecksService). */
type StateAction = Extract<ModelAction, 'register' | 'activate' | 'deactivate' | 'unregister' | 'delete'>;

/** Audit action of each state-only transition. */
const AUDIT_ACTIONS: Record<StateAction, string> = {
  register: 'modelops.model.registered',
  activate: 'modelops.model.activated',
  deactivate: 'modelops.model.deactivated',
  unregister: 'modelops.model.unregistered',
  delete: 'modelops.model.deleted',
};

/**
 * Managed models: creation, reads (everything for superadmins, shared active models for everyone
 * else), the lifecycle transitions of `model-lifecycle.ts`, and what platform-control asks
 * before binding a model (`isBindable`, `assertBindable`).
 */
@Injectable()
export class ModelsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly models: ModelsRepository,
    private readonly credentials: CredentialsRepository,
    private readonly downloads: DownloadsRepository,
    private readonly catalog: CatalogRepository,
    private readonly references: ModelReferenceRegistry,
    private readonly audit: AuditLogService,
  ) {}

  async create(principal: Principal, dto: CreateModelDto): Promise<ModelResponseDto> {
    const data = await this.checkedDefinition(dto);
    try {
      const row = await this.dataSource.transaction(async (manager) => {
        const created = await this.models.create({ ...data, createdByUserId: principal.userId }, manager);
        await this.record(principal, 'modelops.model.created', created, { hosting: created.hosting }, manager);
        return created;
      });
      return this.toResponse(row);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ModelOpsException(
          HttpStatus.CONFLICT,
          ModelOpsErrorCode.NameTaken,
          `A model named ${dto.name} exists`,
        );
      }
      throw err;
    }
  }

  /** Superadmins: every model (not deleted). Others: active models shared with their workspace and role. */
  async list(principal: Principal, query: ListModelsQueryDto): Promise<ModelPageDto> {
    const after = query.cursor ? positionOf(query.cursor) : undefined;
    const filter = { lifecycleState: query.lifecycle_state, hosting: query.hosting, task: query.task };
    const rows = principal.isSuperadmin
      ? await this.models.list(filter, query.limit, after)
      : await this.models.listShared(principal.workspaceId, rolesWithin(principal), filter, query.limit, after);
    const page = toPage(rows, query.limit, cursorOf);
    return { data: page.data.map((row) => this.toResponse(row)), next_cursor: page.next_cursor };
  }

  /** 404 for a model that does not exist, is deleted, or (for non-superadmins) is not shared with the caller. */
  async get(principal: Principal, id: string): Promise<ModelResponseDto> {
    const row = principal.isSuperadmin
      ? await this.models.getById(id)
      : await this.models.getShared(id, principal.workspaceId, rolesWithin(principal));
    if (!row) throw new NotFoundAppException('Model', id);
    return this.toResponse(row);
  }

  register(principal: Principal, id: string): Promise<ModelResponseDto> {
    return this.transition(principal, id, 'register');
  }

  activate(principal: Principal, id: string): Promise<ModelResponseDto> {
    return this.transition(principal, id, 'activate');
  }

  deactivate(principal: Principal, id: string): Promise<ModelResponseDto> {
    return this.transition(principal, id, 'deactivate');
  }

  unregister(principal: Principal, id: string): Promise<ModelResponseDto> {
    return this.transition(principal, id, 'unregister');
  }

  async delete(principal: Principal, id: string): Promise<void> {
    await this.transition(principal, id, 'delete');
  }

  /** A model that exists and is not deleted, or 404. */
  async requireModel(id: string): Promise<ModelEntity> {
    const row = await this.models.getById(id);
    if (!row) throw new NotFoundAppException('Model', id);
    return row;
  }

  /** The model as other modules receive it, or 404. */
  async getManagedModel(id: string): Promise<ManagedModel> {
    return this.toResponse(await this.requireModel(id));
  }

  /** The models of `ids` that exist (missing and deleted ones are left out), in the order asked. */
  async getMany(ids: string[]): Promise<ManagedModel[]> {
    const rows = new Map((await this.models.getManyByIds([...new Set(ids)])).map((row) => [row.id, row]));
    return [...new Set(ids)]
      .map((id) => rows.get(id))
      .filter((row): row is ModelEntity => row !== undefined && row.lifecycleState !== 'deleted')
      .map((row) => this.toResponse(row));
  }

  /** Whether the caller may use the model: superadmins always; others when it is active and shared with them. */
  async canUse(principal: Principal, modelId: string): Promise<boolean> {
    if (principal.isSuperadmin) return (await this.models.getById(modelId)) !== null;
    return (await this.models.getShared(modelId, principal.workspaceId, rolesWithin(principal))) !== null;
  }

  /** Active, and its last validation is current and succeeded: a deployment binding may use it. */
  async isBindable(modelId: string): Promise<boolean> {
    const row = await this.models.getById(modelId);
    return row !== null && bindable(row);
  }

  /**
   * The models, in the order asked, when every one may be bound; otherwise 422 `unknown_models`
   * naming the ids that are no model (`model_ids`), or 409 `model_not_bindable` naming the models
   * that are not active with a current successful validation (`models`, with their state).
   */
  async assertBindable(modelIds: string[]): Promise<ManagedModel[]> {
    const ids = [...new Set(modelIds)];
    const rows = new Map((await this.models.getManyByIds(ids)).map((row) => [row.id, row]));
    const unknown = ids.filter((id) => !rows.has(id) || rows.get(id)!.lifecycleState === 'deleted');
    if (unknown.length > 0) {
      throw new ModelOpsException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        ModelOpsErrorCode.UnknownModels,
        `No such model: ${unknown.join(', ')}`,
        { model_ids: unknown },
      );
    }
    const refused = ids.map((id) => rows.get(id)!).filter((row) => !bindable(row));
    if (refused.length > 0) {
      throw new ModelOpsException(
        HttpStatus.CONFLICT,
        ModelOpsErrorCode.ModelNotBindable,
        `Only active models with a current successful validation can be bound; not: ${refused.map((r) => r.id).join(', ')}`,
        {
          models: refused.map((r) => ({
            id: r.id,
            name: r.name,
            lifecycle_state: r.lifecycleState,
            is_validation_current: r.isValidationCurrent,
            last_validation_status: r.lastValidationStatus,
          })),
        },
      );
    }
    return ids.map((id) => this.toResponse(rows.get(id)!));
  }

  toResponse(row: ModelEntity): ModelResponseDto {
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      hosting: row.hosting,
      task: row.task,
      provider: row.provider,
      base_url: row.baseUrl,
      provider_model_id: row.providerModelId,
      credential_id: row.credentialId,
      download_id: row.downloadId,
      source_id: row.sourceId,
      source_commit: row.sourceCommit,
      catalog_item_id: row.catalogItemId,
      lifecycle_state: row.lifecycleState,
      allowed_actions: MODEL_ACTIONS.filter((action) => nextState(row.lifecycleState, action) !== undefined),
      is_validation_current: row.isValidationCurrent,
      last_validation_status: row.lastValidationStatus,
      last_validated_at: row.lastValidatedAt?.toISOString() ?? null,
      is_bindable: bindable(row),
      metadata: row.metadata,
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
    };
  }

  /** Applies one state-only transition under a row lock: table check, then the action's own guards. */
  private async transition(principal: Principal, id: string, action: StateAction): Promise<ModelResponseDto> {
    const row = await this.dataSource.transaction(async (manager) => {
      const model = await this.models.getByIdForUpdate(id, manager);
      if (!model) throw new NotFoundAppException('Model', id);
      const from = model.lifecycleState;
      const to = assertTransition(from, action);
      if (action === 'activate' && !(model.isValidationCurrent && model.lastValidationStatus === 'success')) {
        throw new ModelOpsException(
          HttpStatus.CONFLICT,
          ModelOpsErrorCode.ValidationRequired,
          `Model ${id} needs a current, successful validation before activation`,
          {
            current_state: from,
            is_validation_current: model.isValidationCurrent,
            last_validation_status: model.lastValidationStatus,
          },
        );
      }
      if (ACTIONS_GUARDED_BY_REFERENCES.has(action)) await this.assertUnreferenced(model, action);
      await this.models.update(
        id,
        { lifecycleState: to, ...(action === 'delete' ? { deletedAt: new Date() } : {}) },
        manager,
      );
      // Unregistering withdraws the model: coming back means validating it again.
      if (action === 'unregister') await this.models.invalidateValidations([id], manager);
      await this.record(principal, AUDIT_ACTIONS[action], model, { from, to }, manager);
      return this.reload(id, manager);
    });
    return this.toResponse(row);
  }

  private async assertUnreferenced(model: ModelEntity, action: ModelAction): Promise<void> {
    const bindings = await this.references.referencesTo(model.id);
    if (bindings.length === 0) return;
    throw new ModelOpsException(
      HttpStatus.CONFLICT,
      ModelOpsErrorCode.ModelInUse,
      `Cannot ${action} model ${model.id}: it is used by ${bindings.join(', ')}`,
      { current_state: model.lifecycleState, bindings },
    );
  }

  private async reload(id: string, manager: EntityManager): Promise<ModelEntity> {
    return (await manager.getRepository(ModelEntity).findOneBy({ id }))!;
  }

  /** The row to insert, or 422 naming every field that does not fit the hosting. */
  private async checkedDefinition(dto: CreateModelDto): Promise<Partial<ModelEntity>> {
    const errors: FieldError[] = [];
    const base: Partial<ModelEntity> = {
      name: dto.name,
      description: dto.description ?? null,
      hosting: dto.hosting,
      task: dto.task,
      catalogItemId: dto.catalog_item_id ?? null,
      metadata: dto.metadata ?? {},
      lifecycleState: 'created',
    };
    if (dto.catalog_item_id && !(await this.catalog.getById(dto.catalog_item_id))) {
      errors.push({ field: 'catalog_item_id', message: 'no such catalog item' });
    }
    if (dto.hosting === 'cloud') {
      if (!dto.base_url) errors.push({ field: 'base_url', message: 'a cloud model needs the API base URL' });
      if (!dto.provider_model_id)
        errors.push({ field: 'provider_model_id', message: "a cloud model needs the provider's model id" });
      if (dto.download_id) errors.push({ field: 'download_id', message: 'a cloud model has no download' });
      if (dto.credential_id && !(await this.credentials.getById(dto.credential_id))) {
        errors.push({ field: 'credential_id', message: 'no such credential' });
      }
      if (errors.length > 0) throw new ValidationAppException(errors);
      return {
        ...base,
        provider: dto.provider ?? 'openai_compatible',
        baseUrl: dto.base_url!.replace(/\/+$/, ''),
        providerModelId: dto.provider_model_id!,
        credentialId: dto.credential_id ?? null,
      };
    }
    if (dto.base_url)
      errors.push({ field: 'base_url', message: 'a local model runs on a platform runtime, not a URL' });
    if (dto.credential_id) errors.push({ field: 'credential_id', message: 'a local model uses no credential' });
    if (!dto.download_id) errors.push({ field: 'download_id', message: 'a local model needs a completed download' });
    const download = dto.download_id ? await this.downloads.getById(dto.download_id) : null;
    if (dto.download_id && !download) errors.push({ field: 'download_id', message: 'no such download' });
    if (download && download.status !== 'completed') {
      errors.push({ field: 'download_id', message: `the download is ${download.status}, not completed` });
    }
    if (errors.length > 0) throw new ValidationAppException(errors);
    return {
      ...base,
      provider: dto.provider ?? 'huggingface',
      baseUrl: null,
      providerModelId: dto.provider_model_id ?? download!.sourceId,
      credentialId: null,
      downloadId: download!.id,
      sourceId: download!.sourceId,
      sourceCommit: download!.commitSha,
    };
  }

  private record(
    principal: Principal,
    action: string,
    model: ModelEntity,
    data: Record<string, unknown>,
    manager: EntityManager,
  ): Promise<void> {
    return this.audit.record(
      principal,
      {
        workspaceId: null,
        action,
        targetType: 'modelops_model',
        targetId: model.id,
        data: { name: model.name, ...data },
      },
      manager,
    );
  }
}

/** Active, with a current successful validation. */
export function bindable(row: Pick<ModelEntity, 'lifecycleState' | 'isValidationCurrent' | 'lastValidationStatus'>) {
  return row.lifecycleState === 'active' && row.isValidationCurrent && row.lastValidationStatus === 'success';
}

/** The workspace roles at or below the caller's: grants for any of them let the caller see a model. */
function rolesWithin(principal: Principal) {
  return WORKSPACE_ROLES.filter((role) => ROLE_RANK[role] <= ROLE_RANK[principal.role]);
}
