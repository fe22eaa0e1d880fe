import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { toProviderTarget } from './adapters/provider-target';
import type { ProviderValidationResponseDto, ValidateProviderDto } from './dto/provider.dto';
import { ModelOpsPort } from './modelops.port';
import { OfflineProviderBlockedException } from './platform-control.exception';
import { ProviderChecksService } from './provider-checks.service';
import { ProvidersRepository } from './providers.repository';
import { ProvidersService } from './providers.service';
import { RuntimeProfileRepository } from './runtime-profile.repository';

/**
 * `POST /v1/platform/providers/{id}/validate`: real calls by family (see ProviderChecksService),
 * recorded on the provider and in the audit log. Offline, a cloud provider is refused before any
 * call (409 `offline_provider_blocked`).
 */
@Injectable()
export class ProviderValidationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly providers: ProvidersService,
    private readonly rows: ProvidersRepository,
    private readonly checks: ProviderChecksService,
    private readonly runtimeProfile: RuntimeProfileRepository,
    private readonly modelops: ModelOpsPort,
    private readonly audit: AuditLogService,
  ) {}

  async validate(principal: Principal, id: string, dto: ValidateProviderDto): Promise<ProviderValidationResponseDto> {
    const provider = await this.providers.require(id);
    const target = toProviderTarget(provider, provider.family!);
    if (target.origin === 'cloud' && (await this.runtimeProfile.mode()) !== 'online') {
      throw new OfflineProviderBlockedException(
        `The runtime profile is offline: cloud provider ${provider.slug} cannot be validated`,
        [{ id: provider.id, slug: provider.slug, family: provider.familyKey }],
      );
    }
    const loaded = provider.loadedModelId
      ? ((await this.modelops.getModels([provider.loadedModelId])).get(provider.loadedModelId) ?? null)
      : null;
    const outcome = await this.checks.validate(target, dto.model ?? null, loaded);
    const validatedAt = new Date();
    const result: ProviderValidationResponseDto = {
      provider_id: provider.id,
      status: outcome.checks.every((c) => c.status === 'pass') ? 'success' : 'failed',
      checks: outcome.checks,
      ...(outcome.advertised ? { advertised_models: outcome.advertised } : {}),
      validated_at: validatedAt.toISOString(),
    };
    await this.dataSource.transaction(async (manager) => {
      await this.rows.save(
        {
          id: provider.id,
          lastValidationStatus: result.status,
          lastValidatedAt: validatedAt,
          lastValidationResult: result as unknown as Record<string, unknown>,
        },
        manager,
      );
      await this.audit.record(
        principal,
        {
          workspaceId: null,
          action: 'platform.provider.validated',
          targetType: 'platform_provider',
          targetId: provider.id,
          data: {
            slug: provider.slug,
            status: result.status,
            checks: result.checks.map((c) => `${c.name}:${c.status}`),
          },
        },
        manager,
      );
    });
    return result;
  }
}
