import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { ProjectEntity } from './entities/project.entity';
import { WorkspaceEntity } from './entities/workspace.entity';

/** Workspaces and their projects. Every project query takes the workspace first. */
@Injectable()
export class WorkspacesRepository {
  constructor(
    @InjectRepository(WorkspaceEntity) private readonly workspaces: Repository<WorkspaceEntity>,
    @InjectRepository(ProjectEntity) private readonly projects: Repository<ProjectEntity>,
  ) {}

  getWorkspace(id: string): Promise<WorkspaceEntity | null> {
    return this.workspaces.findOneBy({ id });
  }

  getWorkspaceBySlug(slug: string): Promise<WorkspaceEntity | null> {
    return this.workspaces.findOneBy({ slug });
  }

  listWorkspaces(ids?: string[]): Promise<WorkspaceEntity[]> {
    return this.workspaces.find({ where: ids ? { id: In(ids) } : {}, order: { createdAt: 'ASC' } });
  }

  createWorkspace(data: Pick<WorkspaceEntity, 'name' | 'slug'>, manager?: EntityManager): Promise<WorkspaceEntity> {
    const repo = manager ? manager.getRepository(WorkspaceEntity) : this.workspaces;
    return repo.save(repo.create(data));
  }

  async updateWorkspace(id: string, changes: Partial<Pick<WorkspaceEntity, 'name' | 'slug'>>): Promise<void> {
    await this.workspaces.update({ id }, changes);
  }

  async deleteWorkspace(id: string): Promise<void> {
    await this.workspaces.delete({ id });
  }

  getProject(workspaceId: string, id: string): Promise<ProjectEntity | null> {
    return this.projects.findOneBy({ workspaceId, id });
  }

  getProjectBySlug(workspaceId: string, slug: string): Promise<ProjectEntity | null> {
    return this.projects.findOneBy({ workspaceId, slug });
  }

  listProjects(workspaceId: string): Promise<ProjectEntity[]> {
    return this.projects.find({ where: { workspaceId }, order: { createdAt: 'ASC' } });
  }

  createProject(
    data: Pick<ProjectEntity, 'workspaceId' | 'name' | 'slug' | 'description'>,
    manager?: EntityManager,
  ): Promise<ProjectEntity> {
    const repo = manager ? manager.getRepository(ProjectEntity) : this.projects;
    return repo.save(repo.create(data));
  }

  async updateProject(
    workspaceId: string,
    id: string,
    changes: Partial<Pick<ProjectEntity, 'name' | 'slug' | 'description'>>,
  ): Promise<void> {
    await this.projects.update({ workspaceId, id }, changes);
  }

  async deleteProject(workspaceId: string, id: string): Promise<void> {
    await this.projects.delete({ workspaceId, id });
  }
}
