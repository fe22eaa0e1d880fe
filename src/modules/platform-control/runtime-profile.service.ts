import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { DeploymentsRepository } from './deployments.repository';
import { RuntimeProfileResponseDto, UpdateRuntimeProfileDto } from './dto/runtime-profile.dto';
import { RuntimeProfileEntity } from './entities/runtime-profile.entity';
import { OfflineProviderBlockedException } from './platform-control.exception';
import { RuntimeProfileRepository } from './runtime-profile.repository';

/** The global runtime mode. Offline fails closed: nothing may reach a cloud provider or the hub. */
@Injectable()
export class RuntimeProfileService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly profiles: RuntimeProfileRepository,
    private readonly deployments: DeploymentsRepository,
    private readonly audit: AuditLogService,
  ) {}

  async get(): Promise<RuntimeProfileResponseDto> {
    return this.toResponse(await this.profiles.get());
  }

  /**
   * Switching to offline is refused (409 `offline_provider_blocked`) while the active deployment
   * binds a cloud provider: activate a local-only deployment first.
   */
  async update(principal: Principal, dto: UpdateRuntimeProfileDto): Promise<RuntimeProfileResponseDto> {
    const row = await this.dataSource.transaction(async (manager) => {
      const previous = await this.profiles.lock(manager);
      if (dto.mode === 'offline') {
        const active = await this.deployments.getActive(manager);
        const cloud = (active?.bindings ?? []).filter((b) => b.provider?.family?.providerOrigin === 'cloud');
        if (active && cloud.length > 0) {
          throw new OfflineProviderBlockedException(
            `The active deployment ${active.slug} binds cloud providers (${cloud
              .map((b) => `${b.provider!.slug} for ${b.capability}`)
              .join(', ')}); activate a local-only deployment before going offline`,
            cloud.map((b) => ({ id: b.providerId, slug: b.provider!.slug, family: b.provider!.familyKey })),
          );
        }
      }
      const saved = await this.profiles.save(dto.mode, principal.userId, manager);
      await this.audit.record(
        principal,
        {
          workspaceId: null,
          action: 'platform.runtime_profile.updated',
          targetType: 'platform_runtime_profile',
          targetId: String(saved.id),
          data: { from: previous, to: dto.mode },
        },
        manager,
      );
      return saved;
    });
    return this.toResponse(row);
  }

  private toResponse(row: RuntimeProfileEntity): RuntimeProfileResponseDto {
    return { mode: row.mode, cloud_providers_allowed: row.mode === 'online', updated_at: row.updatedAt.toISOString() };
  }
}
