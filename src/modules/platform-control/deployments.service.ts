import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { BindingRulesService, type CheckedBinding } from './binding-rules.service';
import { DeploymentsRepository } from './deployments.repository';
import type {
  BindingInputDto,
  CloneDeploymentDto,
  CreateDeploymentDto,
  DeploymentBindingsInputDto,
  DeploymentResponseDto,
  UpdateDeploymentIdentityDto,
} from './dto/deployment.dto';
import type { DeploymentEntity } from './entities/deployment.entity';
import { CAPABILITIES, type Capability } from './platform-control.constants';
import {
  OfflineProviderBlockedException,
  PlatformControlErrorCode,
  PlatformControlException,
} from './platform-control.exception';
import { PreflightService, preflightFailures } from './preflight.service';
import { RuntimeProfileRepository } from './runtime-profile.repository';

/**
 * Deployment profiles: identity, capability bindings (saved whole or one capability at a time),
 * clone and delete. Editing the active deployment changes what runs now, so its new bindings pass
 * the same offline rule and preflight as an activation.
 */
@Injectable()
export class DeploymentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deployments: DeploymentsRepository,
    private readonly rules: BindingRulesService,
    private readonly preflight: PreflightService,
    private readonly runtimeProfile: RuntimeProfileRepository,
    private readonly audit: AuditLogService,
  ) {}

  async list(): Promise<DeploymentResponseDto[]> {
    const rows = await this.deployments.list();
    const models = await this.rules.modelsOf(rows);
    return rows.map((row) => this.toResponse(row, models));
  }

  async get(id: string): Promise<DeploymentResponseDto> {
    return this.respond(await this.require(id));
  }

  async create(principal: Principal, dto: CreateDeploymentDto): Promise<DeploymentResponseDto> {
    await this.assertSlugFree(dto.slug);
    const bindings = await this.checkAll(dto.bindings);
    const id = await this.write(async (manager) => {
      const row = await this.deployments.save(
        { slug: dto.slug, displayName: dto.display_name, description: dto.description ?? null },
        manager,
      );
      await this.storeBindings(row.id, bindings, manager);
      await this.record(
        principal,
        'platform.deployment.created',
        row.id,
        { slug: dto.slug, ...summary(bindings) },
        manager,
      );
      return row.id;
    });
    return this.get(id);
  }

  async updateIdentity(
    principal: Principal,
    id: string,
    dto: UpdateDeploymentIdentityDto,
  ): Promise<DeploymentResponseDto> {
    const row = await this.require(id);
    if (dto.slug !== undefined && dto.slug !== row.slug) await this.assertSlugFree(dto.slug, id);
    await this.write(async (manager) => {
      await this.deployments.save(
        {
          id,
          slug: dto.slug ?? row.slug,
          displayName: dto.display_name ?? row.displayName,
          description: dto.description === undefined ? row.description : dto.description,
        },
        manager,
      );
      await this.record(
        principal,
        'platform.deployment.renamed',
        id,
        { from: row.slug, to: dto.slug ?? row.slug },
        manager,
      );
    });
    return this.get(id);
  }

  /** PUT: identity and all bindings; a capability absent from `bindings` is unbound. */
  async replace(principal: Principal, id: string, dto: CreateDeploymentDto): Promise<DeploymentResponseDto> {
    const row = await this.require(id);
    if (dto.slug !== row.slug) await this.assertSlugFree(dto.slug, id);
    const bindings = await this.checkAll(dto.bindings);
    if (row.isActive) await this.preflightActive(row, bindings);
    await this.write(async (manager) => {
      await this.assertOnlineIfActive(id, bindings, manager);
      await this.deployments.save(
        { id, slug: dto.slug, displayName: dto.display_name, description: dto.description ?? null },
        manager,
      );
      await this.deployments.deleteBindingsExcept(
        id,
        bindings.map((b) => b.capability),
        manager,
      );
      await this.storeBindings(id, bindings, manager);
      await this.record(
        principal,
        'platform.deployment.replaced',
        id,
        { slug: dto.slug, ...summary(bindings) },
        manager,
      );
    });
    return this.get(id);
  }

  /** Capability-local save: this capability's binding only; the others stay as they are. */
  async saveBinding(
    principal: Principal,
    id: string,
    capability: Capability,
    dto: BindingInputDto,
  ): Promise<DeploymentResponseDto> {
    const row = await this.require(id);
    const binding = await this.rules.check(capability, dto, capability);
    if (row.isActive) await this.preflightActive(row, [binding]);
    await this.write(async (manager) => {
      await this.assertOnlineIfActive(id, [binding], manager);
      await this.storeBindings(id, [binding], manager);
      await this.record(
        principal,
        'platform.deployment.binding_saved',
        id,
        { slug: row.slug, ...summary([binding]) },
        manager,
      );
    });
    return this.get(id);
  }

  async clone(principal: Principal, id: string, dto: CloneDeploymentDto): Promise<DeploymentResponseDto> {
    const source = await this.require(id);
    await this.assertSlugFree(dto.slug);
    const cloneId = await this.write(async (manager) => {
      const row = await this.deployments.save(
        {
          slug: dto.slug,
          displayName: dto.display_name ?? `${source.displayName} (copy)`,
          description: dto.description === undefined ? source.description : dto.description,
        },
        manager,
      );
      for (const b of source.bindings ?? []) {
        await this.deployments.upsertBinding(
          row.id,
          b.capability,
          { providerId: b.providerId, resources: b.resources, defaultResourceId: b.defaultResourceId },
          manager,
        );
      }
      await this.record(
        principal,
        'platform.deployment.cloned',
        row.id,
        { slug: dto.slug, source: source.slug },
        manager,
      );
      return row.id;
    });
    return this.get(cloneId);
  }

  /** The active deployment cannot be deleted: activate another one first. */
  async delete(principal: Principal, id: string): Promise<void> {
    const row = await this.require(id);
    if (row.isActive) {
      throw new PlatformControlException(
        HttpStatus.CONFLICT,
        PlatformControlErrorCode.DeploymentActive,
        `Deployment ${row.slug} is active; activate another deployment before deleting it`,
      );
    }
    await this.write(async (manager) => {
      await this.deployments.delete(id, manager);
      await this.record(principal, 'platform.deployment.deleted', id, { slug: row.slug }, manager);
    });
  }

  private async require(id: string): Promise<DeploymentEntity> {
    const row = await this.deployments.getById(id);
    if (!row) throw new NotFoundAppException('Deployment', id);
    return row;
  }

  private async respond(row: DeploymentEntity): Promise<DeploymentResponseDto> {
    return this.toResponse(row, await this.rules.modelsOf([row]));
  }

  private async checkAll(input: DeploymentBindingsInputDto | undefined): Promise<CheckedBinding[]> {
    const checked: CheckedBinding[] = [];
    for (const capability of CAPABILITIES) {
      const binding = input?.[capability];
      if (binding) checked.push(await this.rules.check(capability, binding, `bindings.${capability}`));
    }
    return checked;
  }

  /** New bindings of the active deployment change what runs now: they pass preflight like an activation. */
  private async preflightActive(row: DeploymentEntity, bindings: CheckedBinding[]): Promise<void> {
    const cloud = bindings.filter((b) => b.provider.family!.providerOrigin === 'cloud');
    if (cloud.length > 0 && (await this.runtimeProfile.mode()) !== 'online') throw offlineBlocked(row.slug, cloud);
    const failures = preflightFailures(await this.preflight.run(bindings));
    if (failures.length > 0) {
      throw new PlatformControlException(
        HttpStatus.CONFLICT,
        PlatformControlErrorCode.PreflightFailed,
        `Deployment ${row.slug} is active and its new bindings failed preflight: ${failures
          .map((f) => `${f.provider_slug} (${f.capability}) ${f.status}`)
          .join('; ')}`,
        { providers: failures },
      );
    }
  }

  /**
   * Offline, the active deployment cannot gain a cloud binding. The profile row lock orders this
   * against a concurrent switch to offline or activation.
   */
  private async assertOnlineIfActive(id: string, bindings: CheckedBinding[], manager: EntityManager): Promise<void> {
    const mode = await this.runtimeProfile.lock(manager);
    const cloud = bindings.filter((b) => b.provider.family!.providerOrigin === 'cloud');
    if (mode === 'online' || cloud.length === 0) return;
    const current = await this.deployments.getById(id, manager);
    if (current?.isActive) throw offlineBlocked(current.slug, cloud);
  }

  private async storeBindings(deploymentId: string, bindings: CheckedBinding[], manager: EntityManager): Promise<void> {
    for (const b of bindings) {
      await this.deployments.upsertBinding(
        deploymentId,
        b.capability,
        { providerId: b.provider.id, resources: b.resources, defaultResourceId: b.defaultResourceId },
        manager,
      );
    }
  }

  private async assertSlugFree(slug: string, exceptId?: string): Promise<void> {
    if (await this.deployments.slugTaken(slug, exceptId)) throw slugTaken(slug);
  }

  /** A transaction whose unique-slug race (two creations at once) answers 409 like the pre-check. */
  private async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (err) {
      const constraint =
        (err instanceof QueryFailedError && (err.driverError as { constraint?: string })?.constraint) || '';
      if (constraint === 'uq_platform_deployments_slug') throw slugTaken('');
      throw err;
    }
  }

  private record(
    principal: Principal,
    action: string,
    id: string,
    data: Record<string, unknown>,
    manager: EntityManager,
  ): Promise<void> {
    return this.audit.record(
      principal,
      { workspaceId: null, action, targetType: 'platform_deployment', targetId: id, data },
      manager,
    );
  }

  private toResponse(
    row: DeploymentEntity,
    models: Parameters<BindingRulesService['bindingResponse']>[1],
  ): DeploymentResponseDto {
    const bindings = [...(row.bindings ?? [])].sort(
      (a, b) => CAPABILITIES.indexOf(a.capability) - CAPABILITIES.indexOf(b.capability),
    );
    return {
      id: row.id,
      slug: row.slug,
      display_name: row.displayName,
      description: row.description,
      is_active: row.isActive,
      activated_at: row.activatedAt?.toISOString() ?? null,
      bindings: bindings.map((b) => this.rules.bindingResponse(b, models)),
      configuration_status: this.rules.deploymentStatus(row, models),
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
    };
  }
}

function slugTaken(slug: string): PlatformControlException {
  return new PlatformControlException(
    HttpStatus.CONFLICT,
    PlatformControlErrorCode.SlugTaken,
    slug ? `A deployment with slug ${slug} exists` : 'A deployment with that slug exists',
  );
}

function offlineBlocked(slug: string, cloud: CheckedBinding[]): OfflineProviderBlockedException {
  return new OfflineProviderBlockedException(
    `The runtime profile is offline: the active deployment ${slug} cannot bind cloud providers (${cloud
      .map((b) => b.provider.slug)
      .join(', ')})`,
    cloud.map((b) => ({ id: b.provider.id, slug: b.provider.slug, family: b.provider.familyKey })),
  );
}

function summary(bindings: CheckedBinding[]): Record<string, unknown> {
  return {
    bindings: bindings.map((b) => ({
      capability: b.capability,
      provider: b.provider.slug,
      resources: b.resources.map((r) => r.id),
      default_resource_id: b.defaultResourceId,
    })),
  };
}
