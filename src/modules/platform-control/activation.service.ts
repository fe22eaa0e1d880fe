import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { currentRequestId } from 'src/common/http/request-context';
import { decodeCursor, toPage } from 'src/common/pagination/cursor';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { ActivationAuditRepository } from './activation-audit.repository';
import { DeploymentsRepository } from './deployments.repository';
import type {
  ActivationAuditEntryDto,
  ActivationAuditPageDto,
  ActivationResponseDto,
  ListActivationAuditQueryDto,
  PreflightEntryDto,
} from './dto/activation.dto';
import type { ActivationAuditEntity } from './entities/activation-audit.entity';
import type { DeploymentEntity } from './entities/deployment.entity';
import { REQUIRED_CAPABILITIES } from './platform-control.constants';
import {
  OfflineProviderBlockedException,
  PlatformControlErrorCode,
  PlatformControlException,
} from './platform-control.exception';
import { PreflightService, preflightFailures } from './preflight.service';
import { RuntimeProfileRepository } from './runtime-profile.repository';

/**
 * Activation of a deployment profile: fail closed offline for cloud bindings, refuse while a
 * required capability has no provider, preflight every bound provider for real, then switch in
 * one transaction. Every attempt, refused or not, lands in the activation audit with its preflight.
 */
@Injectable()
export class ActivationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deployments: DeploymentsRepository,
    private readonly runtimeProfile: RuntimeProfileRepository,
    private readonly preflight: PreflightService,
    private readonly attempts: ActivationAuditRepository,
    private readonly audit: AuditLogService,
  ) {}

  async activate(principal: Principal, id: string): Promise<ActivationResponseDto> {
    const row = await this.deployments.getById(id);
    if (!row) throw new NotFoundAppException('Deployment', id);
    const previous = await this.deployments.getActive();
    const previousId = previous?.id ?? null;
    const bindings = row.bindings ?? [];

    const cloud = bindings.filter((b) => b.provider!.family!.providerOrigin === 'cloud');
    if (cloud.length > 0 && (await this.runtimeProfile.mode()) !== 'online') {
      // Nothing is called: the preflight records the cloud providers as blocked.
      const blocked: PreflightEntryDto[] = cloud.map((b) => ({
        capability: b.capability,
        provider_id: b.providerId,
        provider_slug: b.provider!.slug,
        family: b.provider!.familyKey,
        provider_origin: 'cloud',
        status: 'blocked',
        detail: 'The runtime profile is offline',
        latency_ms: 0,
      }));
      throw await this.reject(
        principal,
        row,
        previousId,
        this.blocked(
          row,
          cloud.map((b) => b.provider!),
        ),
        blocked,
      );
    }

    const bound = new Set(bindings.map((b) => b.capability));
    const missing = REQUIRED_CAPABILITIES.filter((c) => !bound.has(c));
    if (missing.length > 0) {
      const error = new PlatformControlException(
        HttpStatus.CONFLICT,
        PlatformControlErrorCode.DeploymentIncomplete,
        `Deployment ${row.slug} has no provider for ${missing.join(', ')}`,
        { missing_capabilities: missing },
      );
      throw await this.reject(principal, row, previousId, error, []);
    }

    const preflight = await this.preflight.run(bindings.map((b) => ({ ...b, provider: b.provider! })));
    const failures = preflightFailures(preflight);
    if (failures.length > 0) {
      const error = new PlatformControlException(
        HttpStatus.CONFLICT,
        PlatformControlErrorCode.PreflightFailed,
        `Preflight failed; deployment ${previous?.slug ?? '(none)'} stays active: ${failures
          .map((f) => `${f.provider_slug} (${f.capability}) is ${f.status}: ${f.detail}`)
          .join('; ')}`,
        { providers: failures, active_deployment_id: previousId },
      );
      throw await this.reject(principal, row, previousId, error, preflight);
    }

    const activatedAt = await this.dataSource.transaction(async (manager) => {
      // Ordered against a concurrent switch to offline: whoever locks the profile first wins.
      if ((await this.runtimeProfile.lock(manager)) !== 'online' && cloud.length > 0) {
        throw this.blocked(
          row,
          cloud.map((b) => b.provider!),
        );
      }
      const before = await this.deployments.getActive(manager);
      await this.deployments.activate(row.id, manager);
      await this.writeAttempt(principal, row, before?.id ?? null, 'activated', null, preflight, manager);
      return (await this.deployments.getById(row.id, manager))!.activatedAt!;
    });
    return {
      deployment_id: row.id,
      previous_deployment_id: previousId,
      activated_at: activatedAt.toISOString(),
      preflight,
    };
  }

  async listAttempts(query: ListActivationAuditQueryDto): Promise<ActivationAuditPageDto> {
    const before = query.cursor ? decodeCursor<{ t: string; id: string }>(query.cursor, ['t', 'id']) : undefined;
    const rows = await this.attempts.list(
      query.limit,
      query.deployment_id,
      before && { createdAt: new Date(before.t), id: before.id },
    );
    const page = toPage(rows, query.limit, (row) => ({ t: row.createdAt.toISOString(), id: row.id }));
    return { data: page.data.map((row) => this.toResponse(row)), next_cursor: page.next_cursor };
  }

  private blocked(row: DeploymentEntity, providers: { id: string; slug: string; familyKey: string }[]) {
    return new OfflineProviderBlockedException(
      `The runtime profile is offline: deployment ${row.slug} binds cloud providers (${providers
        .map((p) => p.slug)
        .join(', ')}) and cannot be activated`,
      providers.map((p) => ({ id: p.id, slug: p.slug, family: p.familyKey })),
    );
  }

  /** Records the refused attempt (its own transaction: it must outlive the refusal) and returns the error. */
  private async reject(
    principal: Principal,
    row: DeploymentEntity,
    previousId: string | null,
    error: PlatformControlException,
    preflight: PreflightEntryDto[],
  ): Promise<PlatformControlException> {
    await this.dataSource.transaction((manager) =>
      this.writeAttempt(principal, row, previousId, 'rejected', error.code, preflight, manager),
    );
    return error;
  }

  private async writeAttempt(
    principal: Principal,
    row: DeploymentEntity,
    previousId: string | null,
    outcome: 'activated' | 'rejected',
    reason: string | null,
    preflight: PreflightEntryDto[],
    manager: EntityManager,
  ): Promise<void> {
    const attempt = await this.attempts.append(
      {
        deploymentId: row.id,
        deploymentSlug: row.slug,
        previousDeploymentId: previousId,
        outcome,
        reason,
        preflight: preflight as unknown as Record<string, unknown>[],
        actorUserId: principal.userId,
        actorApiKeyId: principal.apiKeyId,
        requestId: currentRequestId() ?? null,
      },
      manager,
    );
    await this.audit.record(
      principal,
      {
        workspaceId: null,
        action: outcome === 'activated' ? 'platform.deployment.activated' : 'platform.deployment.activation_rejected',
        targetType: 'platform_deployment',
        targetId: row.id,
        data: { slug: row.slug, previous_deployment_id: previousId, reason, attempt_id: attempt.id },
      },
      manager,
    );
  }

  private toResponse(row: ActivationAuditEntity): ActivationAuditEntryDto {
    return {
      id: row.id,
      deployment_id: row.deploymentId,
      deployment_slug: row.deploymentSlug,
      previous_deployment_id: row.previousDeploymentId,
      outcome: row.outcome,
      reason: row.reason,
      preflight: row.preflight as unknown as PreflightEntryDto[],
      actor_user_id: row.actorUserId,
      actor_api_key_id: row.actorApiKeyId,
      request_id: row.requestId,
      created_at: row.createdAt.toISOString(),
    };
  }
}
