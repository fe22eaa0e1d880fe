import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiKeyPrincipalCache } from './api-key-principal-cache';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { generateApiKey } from 'src/modules/auth/api-key.format';
import { hasRole, Principal } from 'src/modules/auth/principal';
import { ApiKeysRepository } from './api-keys.repository';
import { AuditLogService } from './audit-log.service';
import { ApiKeyResponseDto, CreateApiKeyDto, CreatedApiKeyResponseDto } from './dto/api-key.dto';
import { ApiKeyEntity } from './entities/api-key.entity';
import { UsersErrorCode, UsersException } from './users.exception';
import { WorkspacesRepository } from './workspaces.repository';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: ApiKeysRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly audit: AuditLogService,
    private readonly principals: ApiKeyPrincipalCache,
  ) {}

  async create(principal: Principal, dto: CreateApiKeyDto): Promise<CreatedApiKeyResponseDto> {
    if (dto.service && !hasRole(principal, 'admin')) {
      throw new UsersException(
        HttpStatus.FORBIDDEN,
        UsersErrorCode.ServiceKeyDenied,
        'Only workspace admins create service keys',
      );
    }
    const projectId = await this.allowedProject(principal, dto.project_id);
    const expiresAt = dto.expires_at ? new Date(dto.expires_at) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new UsersException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        UsersErrorCode.InvalidExpiry,
        'expires_at must be in the future',
      );
    }
    const generated = generateApiKey();
    const row = await this.dataSource.transaction(async (manager) => {
      const created = await this.keys.create(
        {
          workspaceId: principal.workspaceId,
          userId: principal.userId,
          projectId,
          name: dto.name,
          displayPrefix: generated.displayPrefix,
          keyHash: generated.hash,
          expiresAt,
          service: dto.service ?? false,
        },
        manager,
      );
      await this.audit.record(
        principal,
        {
          workspaceId: principal.workspaceId,
          action: 'api_key.created',
          targetType: 'api_key',
          targetId: created.id,
          data: {
            name: dto.name,
            prefix: generated.displayPrefix,
            project_id: projectId,
            service: dto.service ?? false,
          },
        },
        manager,
      );
      return created;
    });
    return { ...this.toResponse(row), key: generated.key };
  }

  async list(principal: Principal, scope: 'mine' | 'workspace'): Promise<ApiKeyResponseDto[]> {
    if (scope === 'workspace' && !hasRole(principal, 'admin')) {
      throw new UsersException(
        HttpStatus.FORBIDDEN,
        UsersErrorCode.OwnerGrantDenied,
        'Listing every key needs the admin role',
      );
    }
    const rows = await this.keys.listActive(principal.workspaceId, scope === 'mine' ? principal.userId : undefined);
    return rows.map((row) => this.toResponse(row));
  }

  /** Your own keys, or any key of the workspace for admins; others' keys are not visible (404). */
  async revoke(principal: Principal, id: string): Promise<void> {
    const key = await this.keys.getById(principal.workspaceId, id);
    const visible = key && (key.userId === principal.userId || hasRole(principal, 'admin'));
    if (!key || !visible || key.revokedAt) throw new NotFoundAppException('API key', id);
    await this.dataSource.transaction(async (manager) => {
      await this.keys.revoke(principal.workspaceId, id, manager);
      await this.audit.record(
        principal,
        {
          workspaceId: principal.workspaceId,
          action: 'api_key.revoked',
          targetType: 'api_key',
          targetId: id,
          data: { name: key.name, prefix: key.displayPrefix },
        },
        manager,
      );
    });
    this.principals.invalidate();
  }

  /** A pinned key may only mint keys pinned to its own project (no escalation by minting). */
  private async allowedProject(principal: Principal, requested: string | undefined): Promise<string | null> {
    if (principal.projectId && requested !== principal.projectId) {
      throw new UsersException(
        HttpStatus.FORBIDDEN,
        UsersErrorCode.ProjectPinned,
        `This key is pinned to project ${principal.projectId}; new keys must be pinned to it too`,
      );
    }
    if (!requested) return null;
    const project = await this.workspaces.getProject(principal.workspaceId, requested);
    if (!project) throw new NotFoundAppException('Project', requested);
    return project.id;
  }

  private toResponse(row: ApiKeyEntity): ApiKeyResponseDto {
    return {
      id: row.id,
      name: row.name,
      prefix: row.displayPrefix,
      workspace_id: row.workspaceId,
      user_id: row.userId,
      project_id: row.projectId,
      created_at: row.createdAt.toISOString(),
      last_used_at: row.lastUsedAt?.toISOString() ?? null,
      expires_at: row.expiresAt?.toISOString() ?? null,
      service: row.service,
    };
  }
}
