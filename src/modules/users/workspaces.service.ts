import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { Principal } from 'src/modules/auth/principal';
import { ApiKeyPrincipalCache } from './api-key-principal-cache';
import { AuditLogService } from './audit-log.service';
import { CreateWorkspaceDto, UpdateWorkspaceDto, WorkspaceResponseDto } from './dto/workspace.dto';
import { WorkspaceEntity } from './entities/workspace.entity';
import { UsersErrorCode, UsersException } from './users.exception';
import { UsersRepository } from './users.repository';
import { WorkspaceAccessService } from './workspace-access.service';
import { WorkspacesRepository } from './workspaces.repository';

@Injectable()
export class WorkspacesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly workspaces: WorkspacesRepository,
    private readonly users: UsersRepository,
    private readonly access: WorkspaceAccessService,
    private readonly audit: AuditLogService,
    private readonly principals: ApiKeyPrincipalCache,
  ) {}

  /** The caller's workspaces (an API key: its own one; a superadmin token: all). */
  async list(principal: Principal): Promise<WorkspaceResponseDto[]> {
    if (principal.kind === 'api_key') {
      return [this.toResponse(await this.getEntity(principal.workspaceId), principal.role)];
    }
    const memberships = await this.users.listMembershipsOfUser(principal.userId);
    const roles = new Map(memberships.map((m) => [m.workspaceId, m.role]));
    const rows = await this.workspaces.listWorkspaces(principal.isSuperadmin ? undefined : [...roles.keys()]);
    return rows.map((row) => this.toResponse(row, roles.get(row.id) ?? 'owner'));
  }

  async get(principal: Principal, id: string): Promise<WorkspaceResponseDto> {
    const role = await this.access.roleIn(principal, id);
    return this.toResponse(await this.getEntity(id), role);
  }

  /** Any signed-in user may open a workspace; they become its owner. */
  async create(principal: Principal, dto: CreateWorkspaceDto): Promise<WorkspaceResponseDto> {
    await this.assertSlugFree(dto.slug);
    const row = await this.dataSource.transaction(async (manager) => {
      const workspace = await this.workspaces.createWorkspace({ name: dto.name, slug: dto.slug }, manager);
      await this.users.addMembership(workspace.id, principal.userId, 'owner', manager);
      await this.audit.record(
        principal,
        { workspaceId: workspace.id, action: 'workspace.created', targetType: 'workspace', targetId: workspace.id },
        manager,
      );
      return workspace;
    });
    return this.toResponse(row, 'owner');
  }

  async update(principal: Principal, id: string, dto: UpdateWorkspaceDto): Promise<WorkspaceResponseDto> {
    const role = await this.access.require(principal, id, 'admin');
    const current = await this.getEntity(id);
    if (dto.slug && dto.slug !== current.slug) await this.assertSlugFree(dto.slug);
    await this.workspaces.updateWorkspace(id, dto);
    return this.toResponse(await this.getEntity(id), role);
  }

  async delete(principal: Principal, id: string): Promise<void> {
    await this.access.require(principal, id, 'owner');
    await this.workspaces.deleteWorkspace(id);
    this.principals.invalidate();
  }

  private async getEntity(id: string): Promise<WorkspaceEntity> {
    const row = await this.workspaces.getWorkspace(id);
    if (!row) throw new NotFoundAppException('Workspace', id);
    return row;
  }

  private async assertSlugFree(slug: string): Promise<void> {
    if (await this.workspaces.getWorkspaceBySlug(slug)) {
      throw new UsersException(
        HttpStatus.CONFLICT,
        UsersErrorCode.SlugTaken,
        `A workspace with slug ${slug} already exists`,
      );
    }
  }

  private toResponse(row: WorkspaceEntity, role: string): WorkspaceResponseDto {
    return { id: row.id, name: row.name, slug: row.slug, role, created_at: row.createdAt.toISOString() };
  }
}
