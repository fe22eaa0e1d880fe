import { HttpStatus, Injectable } from '@nestjs/common';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { assertProjectWritable, Principal } from 'src/modules/auth/principal';
import { ApiKeyPrincipalCache } from './api-key-principal-cache';
import { CreateProjectDto, ProjectResponseDto, UpdateProjectDto } from './dto/project.dto';
import { ProjectEntity } from './entities/project.entity';
import { UsersErrorCode, UsersException } from './users.exception';
import { WorkspacesRepository } from './workspaces.repository';

/** Projects of the caller's workspace. */
@Injectable()
export class ProjectsService {
  constructor(
    private readonly workspaces: WorkspacesRepository,
    private readonly principals: ApiKeyPrincipalCache,
  ) {}

  async list(principal: Principal): Promise<ProjectResponseDto[]> {
    const rows = await this.workspaces.listProjects(principal.workspaceId);
    return rows.map((row) => this.toResponse(row));
  }

  async get(principal: Principal, id: string): Promise<ProjectResponseDto> {
    return this.toResponse(await this.getEntity(principal, id));
  }

  async create(principal: Principal, dto: CreateProjectDto): Promise<ProjectResponseDto> {
    assertProjectWritable(principal, null);
    await this.assertSlugFree(principal.workspaceId, dto.slug);
    const row = await this.workspaces.createProject({
      workspaceId: principal.workspaceId,
      name: dto.name,
      slug: dto.slug,
      description: dto.description ?? null,
    });
    return this.toResponse(row);
  }

  async update(principal: Principal, id: string, dto: UpdateProjectDto): Promise<ProjectResponseDto> {
    const current = await this.getEntity(principal, id);
    assertProjectWritable(principal, id);
    if (dto.slug && dto.slug !== current.slug) await this.assertSlugFree(principal.workspaceId, dto.slug);
    await this.workspaces.updateProject(principal.workspaceId, id, dto);
    return this.get(principal, id);
  }

  async delete(principal: Principal, id: string): Promise<void> {
    await this.getEntity(principal, id);
    assertProjectWritable(principal, id);
    await this.workspaces.deleteProject(principal.workspaceId, id);
    // Keys pinned to the project went with it.
    this.principals.invalidate();
  }

  private async getEntity(principal: Principal, id: string): Promise<ProjectEntity> {
    const row = await this.workspaces.getProject(principal.workspaceId, id);
    if (!row) throw new NotFoundAppException('Project', id);
    return row;
  }

  private async assertSlugFree(workspaceId: string, slug: string): Promise<void> {
    if (await this.workspaces.getProjectBySlug(workspaceId, slug)) {
      throw new UsersException(
        HttpStatus.CONFLICT,
        UsersErrorCode.SlugTaken,
        `A project with slug ${slug} already exists`,
      );
    }
  }

  private toResponse(row: ProjectEntity): ProjectResponseDto {
    return {
      id: row.id,
      workspace_id: row.workspaceId,
      name: row.name,
      slug: row.slug,
      description: row.description,
      created_at: row.createdAt.toISOString(),
    };
  }
}
