import { HttpStatus, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { NotFoundAppException, ValidationAppException } from 'src/common/errors/app.exception';
import type { AllConfig } from 'src/config/configuration';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { outboundRefusal } from 'src/common/http/outbound-target';
import type { CapabilityResponseDto, ProviderFamilyResponseDto } from './dto/capability.dto';
import type {
  CreateProviderDto,
  ProviderResponseDto,
  ProviderValidationResponseDto,
  SetLoadedModelDto,
} from './dto/provider.dto';
import type { ProviderFamilyEntity } from './entities/provider-family.entity';
import type { ProviderEntity } from './entities/provider.entity';
import { ModelOpsPort } from './modelops.port';
import { CAPABILITY_DEFINITIONS, type Capability, MODEL_CAPABILITIES } from './platform-control.constants';
import { PlatformControlErrorCode, PlatformControlException } from './platform-control.exception';
import { PreflightService, preflightFailures } from './preflight.service';
import { ProvidersRepository, type ProviderUse } from './providers.repository';

const TASK_OF: Record<string, string> = { llm_inference: 'llm', embeddings: 'embeddings' };

/** Capabilities, provider families (read-only) and provider instances with their loaded-model slot. */
@Injectable()
export class ProvidersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: ConfigService<AllConfig, true>,
    private readonly providers: ProvidersRepository,
    private readonly preflight: PreflightService,
    private readonly modelops: ModelOpsPort,
    private readonly audit: AuditLogService,
  ) {}

  async capabilities(): Promise<CapabilityResponseDto[]> {
    const families = await this.providers.listFamilies();
    return CAPABILITY_DEFINITIONS.map((c) => ({
      key: c.key,
      display_name: c.display_name,
      description: c.description,
      required: c.required,
      provider_families: families.filter((f) => f.capabilities.includes(c.key)).map((f) => f.key),
    }));
  }

  async families(): Promise<ProviderFamilyResponseDto[]> {
    return (await this.providers.listFamilies()).map((f) => ({
      key: f.key,
      display_name: f.displayName,
      description: f.description,
      provider_origin: f.providerOrigin,
      adapter: f.adapter,
      capabilities: f.capabilities,
      requires_endpoint: f.requiresEndpoint,
    }));
  }

  async list(): Promise<ProviderResponseDto[]> {
    const rows = await this.providers.list();
    return Promise.all(rows.map((row) => this.respond(row)));
  }

  async create(principal: Principal, dto: CreateProviderDto): Promise<ProviderResponseDto> {
    const family = await this.requireFamily(dto.family);
    const capability = resolveCapability(family, dto.capability);
    await this.checkEndpoint(family, dto.endpoint_url ?? null);
    if (await this.providers.slugTaken(dto.slug)) throw slugTaken(dto.slug);
    const id = await this.write(async (manager) => {
      const row = await this.providers.save(
        {
          slug: dto.slug,
          displayName: dto.display_name,
          description: dto.description ?? null,
          familyKey: family.key,
          capability,
          endpointUrl: dto.endpoint_url ?? null,
          secretRefs: { ...(dto.secret_refs ?? {}) },
          config: { ...(dto.config ?? {}) },
        },
        manager,
      );
      await this.record(principal, 'platform.provider.created', row, { family: family.key, capability }, manager);
      return row.id;
    });
    return this.get(id);
  }

  /**
   * PUT: the whole instance. The family (and with it the origin) never changes; the capability
   * cannot change while a deployment binds the provider. A provider the active deployment uses is
   * preflighted with its new settings before they are saved.
   */
  async replace(principal: Principal, id: string, dto: CreateProviderDto): Promise<ProviderResponseDto> {
    const row = await this.require(id);
    const family = row.family!;
    if (dto.family !== row.familyKey) {
      throw new PlatformControlException(
        HttpStatus.CONFLICT,
        PlatformControlErrorCode.FamilyImmutable,
        `Provider ${row.slug} is a ${row.familyKey}; the family (and its ${family.providerOrigin} origin) cannot change — create a provider of family ${dto.family} instead`,
      );
    }
    const capability = resolveCapability(family, dto.capability);
    const uses = await this.providers.uses(id);
    if (capability !== row.capability && uses.length > 0) throw inUse(row, uses, 'change the capability of');
    await this.checkEndpoint(family, dto.endpoint_url ?? null);
    if (dto.slug !== row.slug && (await this.providers.slugTaken(dto.slug, id))) throw slugTaken(dto.slug);

    const next: ProviderEntity = {
      ...row,
      slug: dto.slug,
      displayName: dto.display_name,
      description: dto.description ?? null,
      capability,
      endpointUrl: dto.endpoint_url ?? null,
      secretRefs: { ...(dto.secret_refs ?? {}) },
      config: { ...(dto.config ?? {}) },
    };
    const reached =
      next.endpointUrl !== row.endpointUrl || JSON.stringify(next.secretRefs) !== JSON.stringify(row.secretRefs);
    if (reached && uses.some((u) => u.is_active)) await this.preflightActive(next);

    await this.write(async (manager) => {
      await this.providers.save(
        {
          id,
          slug: next.slug,
          displayName: next.displayName,
          description: next.description,
          capability,
          endpointUrl: next.endpointUrl,
          secretRefs: next.secretRefs,
          config: next.config,
          ...(capability !== row.capability ? { loadedModelId: null, loadedModelSetAt: null } : {}),
          // What the last validation checked has changed: it no longer says anything.
          ...(reached || capability !== row.capability
            ? { lastValidationStatus: null, lastValidatedAt: null, lastValidationResult: null }
            : {}),
        },
        manager,
      );
      await this.record(
        principal,
        'platform.provider.updated',
        next,
        { endpoint_or_secrets_changed: reached },
        manager,
      );
    });
    return this.get(id);
  }

  /** Refused (409 `provider_in_use`) while any deployment binds the provider. */
  async delete(principal: Principal, id: string): Promise<void> {
    const row = await this.require(id);
    const uses = await this.providers.uses(id);
    if (uses.length > 0) throw inUse(row, uses, 'delete');
    await this.write(async (manager) => {
      await this.providers.delete(id, manager);
      await this.record(principal, 'platform.provider.deleted', row, {}, manager);
    });
  }

  /**
   * Assigns a managed model to the local runtime's slot, so the runtime advertises it. Only local
   * OpenAI-compatible runtimes of llm_inference or embeddings have a slot; the model must be a
   * local one of the matching task (it need not be validated yet: the slot is how it gets tested).
   */
  async setLoadedModel(principal: Principal, id: string, dto: SetLoadedModelDto): Promise<ProviderResponseDto> {
    const row = await this.require(id);
    assertHasSlot(row);
    const model = (await this.modelops.getModels([dto.managed_model_id])).get(dto.managed_model_id);
    if (!model) throw new NotFoundAppException('Model', dto.managed_model_id);
    if (model.hosting !== 'local' || model.task !== TASK_OF[row.capability]) {
      throw new PlatformControlException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        PlatformControlErrorCode.LoadedModelNotSupported,
        `Model ${model.name} is a ${model.hosting} ${model.task} model; provider ${row.slug} loads local ${TASK_OF[row.capability]} models`,
      );
    }
    await this.write(async (manager) => {
      await this.providers.save({ id, loadedModelId: model.id, loadedModelSetAt: new Date() }, manager);
      await this.record(
        principal,
        'platform.provider.loaded_model_set',
        row,
        { managed_model_id: model.id, previous: row.loadedModelId },
        manager,
      );
    });
    return this.get(id);
  }

  async clearLoadedModel(principal: Principal, id: string): Promise<ProviderResponseDto> {
    const row = await this.require(id);
    assertHasSlot(row);
    await this.write(async (manager) => {
      await this.providers.save({ id, loadedModelId: null, loadedModelSetAt: null }, manager);
      await this.record(
        principal,
        'platform.provider.loaded_model_cleared',
        row,
        { previous: row.loadedModelId },
        manager,
      );
    });
    return this.get(id);
  }

  async get(id: string): Promise<ProviderResponseDto> {
    return this.respond(await this.require(id));
  }

  async require(id: string): Promise<ProviderEntity> {
    const row = await this.providers.getById(id);
    if (!row?.family) throw new NotFoundAppException('Provider', id);
    return row;
  }

  private async requireFamily(key: string): Promise<ProviderFamilyEntity> {
    const family = await this.providers.getFamily(key);
    if (!family) throw new ValidationAppException([{ field: 'family', message: `no provider family ${key}` }]);
    return family;
  }

  private async checkEndpoint(family: ProviderFamilyEntity, endpoint: string | null): Promise<void> {
    if (family.requiresEndpoint && !endpoint) {
      throw new PlatformControlException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        PlatformControlErrorCode.EndpointRequired,
        `Providers of family ${family.key} need an endpoint_url`,
      );
    }
    if (!family.requiresEndpoint && endpoint) {
      throw new ValidationAppException([
        {
          field: 'endpoint_url',
          message: `family ${family.key} lives in Flightdeck's PostgreSQL and takes no endpoint`,
        },
      ]);
    }
    if (!endpoint) return;
    const allowPrivate = this.config.getOrThrow('modelops', { infer: true }).outboundAllowPrivate;
    const refusal = await outboundRefusal(new URL(endpoint), allowPrivate);
    if (refusal) {
      throw new PlatformControlException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        PlatformControlErrorCode.EndpointNotAllowed,
        `endpoint_url refused: ${refusal}`,
      );
    }
  }

  private async preflightActive(next: ProviderEntity): Promise<void> {
    const bindings = await this.providers.activeBindings(next.id);
    const entries = await this.preflight.run(bindings.map((b) => ({ ...b, provider: next })));
    const failures = preflightFailures(entries);
    if (failures.length > 0) {
      throw new PlatformControlException(
        HttpStatus.CONFLICT,
        PlatformControlErrorCode.PreflightFailed,
        `Provider ${next.slug} serves the active deployment and its new settings failed preflight: ${failures
          .map((f) => `${f.status}: ${f.detail}`)
          .join('; ')}`,
        { providers: failures },
      );
    }
  }

  private async respond(row: ProviderEntity): Promise<ProviderResponseDto> {
    const uses = await this.providers.uses(row.id);
    const loaded = row.loadedModelId
      ? (await this.modelops.getModels([row.loadedModelId])).get(row.loadedModelId)
      : undefined;
    return {
      id: row.id,
      slug: row.slug,
      display_name: row.displayName,
      description: row.description,
      family: row.familyKey,
      provider_origin: row.family!.providerOrigin,
      capability: row.capability,
      endpoint_url: row.endpointUrl,
      secret_refs: { ...row.secretRefs },
      config: { ...row.config },
      loaded_model:
        row.loadedModelId && row.loadedModelSetAt
          ? {
              managed_model_id: row.loadedModelId,
              name: loaded?.name ?? null,
              set_at: row.loadedModelSetAt.toISOString(),
            }
          : null,
      last_validation: (row.lastValidationResult as unknown as ProviderValidationResponseDto | null) ?? null,
      used_by: uses.map((u) => ({ ...u })),
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
    };
  }

  private async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (err) {
      const constraint =
        (err instanceof QueryFailedError && (err.driverError as { constraint?: string })?.constraint) || '';
      if (constraint === 'uq_platform_providers_slug') throw slugTaken('');
      throw err;
    }
  }

  private record(
    principal: Principal,
    action: string,
    row: Pick<ProviderEntity, 'id' | 'slug'>,
    data: Record<string, unknown>,
    manager: EntityManager,
  ): Promise<void> {
    return this.audit.record(
      principal,
      {
        workspaceId: null,
        action,
        targetType: 'platform_provider',
        targetId: row.id,
        data: { slug: row.slug, ...data },
      },
      manager,
    );
  }
}

function resolveCapability(family: ProviderFamilyEntity, requested: Capability | undefined): Capability {
  if (requested === undefined) {
    if (family.capabilities.length === 1) return family.capabilities[0];
    throw new ValidationAppException([
      { field: 'capability', message: `family ${family.key} serves ${family.capabilities.join(' or ')}: name one` },
    ]);
  }
  if (!family.capabilities.includes(requested)) {
    throw new PlatformControlException(
      HttpStatus.UNPROCESSABLE_ENTITY,
      PlatformControlErrorCode.CapabilityNotSupported,
      `Family ${family.key} serves ${family.capabilities.join(', ')}, not ${requested}`,
    );
  }
  return requested;
}

function assertHasSlot(row: ProviderEntity): void {
  const family = row.family!;
  if (
    family.providerOrigin !== 'local' ||
    family.adapter !== 'openai_compatible' ||
    !MODEL_CAPABILITIES.includes(row.capability)
  ) {
    throw new PlatformControlException(
      HttpStatus.UNPROCESSABLE_ENTITY,
      PlatformControlErrorCode.LoadedModelNotSupported,
      `Provider ${row.slug} (${row.familyKey}, ${row.capability}) has no loaded-model slot: only local model runtimes do`,
    );
  }
}

function inUse(row: ProviderEntity, uses: ProviderUse[], verb: string): PlatformControlException {
  return new PlatformControlException(
    HttpStatus.CONFLICT,
    PlatformControlErrorCode.ProviderInUse,
    `Cannot ${verb} provider ${row.slug}: deployments bind it (${uses.map((u) => `${u.deployment_slug}/${u.capability}`).join(', ')})`,
    { deployments: uses },
  );
}

function slugTaken(slug: string): PlatformControlException {
  return new PlatformControlException(
    HttpStatus.CONFLICT,
    PlatformControlErrorCode.SlugTaken,
    slug ? `A provider with slug ${slug} exists` : 'A provider with that slug exists',
  );
}
