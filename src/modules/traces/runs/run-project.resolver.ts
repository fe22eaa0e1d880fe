import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import type { Principal } from 'src/modules/auth/principal';
import type { ProjectEntity } from 'src/modules/users/entities/project.entity';
import { WorkspacesRepository } from 'src/modules/users/workspaces.repository';
import { PROJECT_CACHE_TTL_MS } from './runs.constants';
import type { RunIngestErrorCode } from './runs.types';

/** Where a run goes: a project the caller may write, or why not. */
export type ProjectTarget = { ok: true; projectId: string } | { ok: false; code: RunIngestErrorCode; reason: string };

/** What a run names: a project id (`session_id`), a name (`session_name`), or nothing. */
export interface ProjectRef {
  projectId?: string;
  name?: string;
}

export const DEFAULT_PROJECT = 'default';

/** `My Project!` → `my-project`; a name with no letter or digit gets a stable hashed slug. */
export function slugifyProjectName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug || `project-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

export const projectRefKey = (ref: ProjectRef) => (ref.projectId ? `id:${ref.projectId}` : `name:${ref.name ?? ''}`);

/**
 * LangSmith projects (`session_name`) → Flightdeck projects of the key's workspace, created on
 * first use. A name matches a project by name, else by slug (the name as given, then slugified).
 * A key pinned to a project writes only there: no name (or the SDK's default "default") means
 * that project; any other project is `forbidden`. Without a pin, no name means the workspace's
 * `default` project. Project lists are cached per workspace for a few seconds.
 */
@Injectable()
export class RunProjectResolver {
  private readonly cache = new Map<string, { expiresAt: number; projects: ProjectEntity[] }>();

  constructor(private readonly workspaces: WorkspacesRepository) {}

  /** Resolves each distinct reference once. Keys of the result: `projectRefKey(ref)`. */
  async resolve(principal: Principal, refs: ProjectRef[]): Promise<Map<string, ProjectTarget>> {
    const out = new Map<string, ProjectTarget>();
    for (const ref of refs) {
      const key = projectRefKey(ref);
      if (!out.has(key)) out.set(key, await this.resolveOne(principal, ref));
    }
    return out;
  }

  /** Drops the workspace's cached projects (after a project was deleted under us). */
  forget(workspaceId: string): void {
    this.cache.delete(workspaceId);
  }

  private async resolveOne(principal: Principal, ref: ProjectRef): Promise<ProjectTarget> {
    const pinned = principal.projectId;
    if (ref.projectId) {
      const project = await this.find(principal.workspaceId, (p) => p.id === ref.projectId);
      if (!project) {
        return { ok: false, code: 'invalid', reason: `session_id ${ref.projectId} is not a project of this workspace` };
      }
      return this.writable(pinned, project);
    }
    const name = ref.name?.trim();
    if (!name || (pinned && name === DEFAULT_PROJECT)) {
      if (pinned) return { ok: true, projectId: pinned };
      return { ok: true, projectId: (await this.findOrCreate(principal.workspaceId, DEFAULT_PROJECT)).id };
    }
    const existing = await this.findByName(principal.workspaceId, name);
    if (existing) return this.writable(pinned, existing);
    if (pinned) return this.forbidden(pinned, name);
    return { ok: true, projectId: (await this.findOrCreate(principal.workspaceId, name)).id };
  }

  private writable(pinned: string | null, project: ProjectEntity): ProjectTarget {
    if (pinned && pinned !== project.id) return this.forbidden(pinned, project.name);
    return { ok: true, projectId: project.id };
  }

  private forbidden(pinned: string, name: string): ProjectTarget {
    return {
      ok: false,
      code: 'forbidden',
      reason: `this API key is pinned to project ${pinned} and cannot write to project "${name}"`,
    };
  }

  private findByName(workspaceId: string, name: string): Promise<ProjectEntity | undefined> {
    const slug = slugifyProjectName(name);
    return this.find(
      workspaceId,
      (p) => p.name === name,
      (p) => p.slug === name || p.slug === slug,
    );
  }

  /** The first project matching the predicates in order, from the cache, else from a fresh list. */
  private async find(
    workspaceId: string,
    ...predicates: ((p: ProjectEntity) => boolean)[]
  ): Promise<ProjectEntity | undefined> {
    const match = (projects: ProjectEntity[]) =>
      predicates.reduce<ProjectEntity | undefined>((found, test) => found ?? projects.find(test), undefined);
    const cached = this.cache.get(workspaceId);
    if (cached && cached.expiresAt > Date.now()) {
      const hit = match(cached.projects);
      if (hit) return hit;
    }
    return match(await this.refresh(workspaceId));
  }

  private async refresh(workspaceId: string): Promise<ProjectEntity[]> {
    const projects = await this.workspaces.listProjects(workspaceId);
    this.cache.set(workspaceId, { expiresAt: Date.now() + PROJECT_CACHE_TTL_MS, projects });
    return projects;
  }

  private async findOrCreate(workspaceId: string, name: string): Promise<ProjectEntity> {
    const existing = await this.findByName(workspaceId, name);
    if (existing) return existing;
    try {
      await this.workspaces.createProject({
        workspaceId,
        name,
        slug: slugifyProjectName(name),
        description: 'Created by LangSmith-compatible ingestion',
      });
    } catch (error) {
      // A concurrent request created it first: the re-read below finds it.
      if (!(error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505'))
        throw error;
    }
    const created = match(await this.refresh(workspaceId), name);
    if (!created) throw new Error(`project "${name}" could not be created`);
    return created;
  }
}

function match(projects: ProjectEntity[], name: string): ProjectEntity | undefined {
  const slug = slugifyProjectName(name);
  return projects.find((p) => p.name === name) ?? projects.find((p) => p.slug === name || p.slug === slug);
}
