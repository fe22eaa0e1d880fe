import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { decodeCursor, toPage } from 'src/common/pagination/cursor';
import { assertProjectWritable, Principal } from 'src/modules/auth/principal';
import { WorkspacesRepository } from 'src/modules/users/workspaces.repository';
import {
  AgentSummaryDto,
  CreateTraceDto,
  ListSessionsQueryDto,
  SessionPageDto,
  SessionResponseDto,
} from './dto/session.dto';
import { SessionEntity, SessionSource } from './entities/session.entity';
import type { AppendTarget } from './ingest/ingest.types';
import { SessionTargetCache } from './ingest/session-target-cache';
import { SessionsErrorCode, SessionsException } from './sessions.exception';
import { SessionsRepository } from './sessions.repository';

export interface NewSession {
  id?: string;
  clientKey?: string;
  projectId?: string;
  agentName: string;
  agentVersion?: string | null;
  suiteId?: string | null;
  source: SessionSource;
  startedAt?: Date;
  metadata?: Record<string, unknown>;
  inputStoragePath?: string | null;
}

/** The session record: creation (idempotent), reads, lists, agents. */
@Injectable()
export class SessionsService {
  private readonly targets = new SessionTargetCache();

  constructor(
    private readonly repository: SessionsRepository,
    private readonly workspaces: WorkspacesRepository,
  ) {}

  async createFromTrace(
    principal: Principal,
    dto: CreateTraceDto,
  ): Promise<{ session: SessionResponseDto; created: boolean }> {
    const { session, created } = await this.create(principal, {
      id: dto.id,
      clientKey: dto.idempotency_key,
      projectId: dto.project_id,
      agentName: dto.agent.name,
      agentVersion: dto.agent.version ?? null,
      suiteId: dto.suite_id ?? null,
      source: 'sdk',
      startedAt: dto.started_at ? new Date(dto.started_at) : undefined,
      metadata: dto.metadata,
    });
    return { session: toSessionResponse(session), created };
  }

  /**
   * Creates a session, or returns the one an earlier identical call created (same id, or same
   * idempotency key in the project): SDK retries converge. A clash with other content is 409.
   */
  async create(principal: Principal, input: NewSession): Promise<{ session: SessionEntity; created: boolean }> {
    const projectId = await this.resolveProject(principal, input.projectId);
    assertProjectWritable(principal, projectId);
    const existing = await this.findExisting(principal.workspaceId, projectId, input);
    if (existing) return { session: this.assertSameSession(existing, projectId, input), created: false };
    const id = input.id ?? randomUUID();
    const inserted = await this.repository.insertIfAbsent({
      id,
      workspaceId: principal.workspaceId,
      projectId,
      suiteId: input.suiteId ?? null,
      source: input.source,
      status: 'running',
      agentName: input.agentName,
      agentVersion: input.agentVersion ?? null,
      clientKey: input.clientKey ?? null,
      metadata: input.metadata ?? {},
      inputStoragePath: input.inputStoragePath ?? null,
      startedAt: input.startedAt ?? new Date(),
    });
    const session = await this.findExisting(principal.workspaceId, projectId, { ...input, id });
    if (!session) {
      // The id exists in another workspace: say nothing about it.
      throw new SessionsException(
        HttpStatus.CONFLICT,
        SessionsErrorCode.SessionIdTaken,
        `Session id ${id} cannot be used`,
      );
    }
    return { session: inserted ? session : this.assertSameSession(session, projectId, input), created: inserted };
  }

  /** The session if it is in the caller's workspace (a project filter only narrows), else 404. */
  async getEntity(principal: Principal, id: string): Promise<SessionEntity> {
    const session = await this.repository.getById(principal.workspaceId, id);
    if (!session) throw new NotFoundAppException('Session', id);
    return session;
  }

  /**
   * Where an append to the session goes, 404 unless it is in the caller's workspace. Served from
   * memory after the first read: a hot SDK session costs no extra query per batch.
   */
  async getAppendTarget(principal: Principal, id: string): Promise<AppendTarget> {
    const cached = this.targets.get(id);
    if (cached) {
      if (cached.workspaceId !== principal.workspaceId) throw new NotFoundAppException('Session', id);
      return cached;
    }
    const session = await this.getEntity(principal, id);
    const target = { sessionId: session.id, workspaceId: session.workspaceId, projectId: session.projectId };
    this.targets.remember(target);
    return target;
  }

  /** The writer found no such session any more (deleted with its project or workspace). */
  forgetAppendTarget(id: string): void {
    this.targets.forget(id);
  }

  async get(principal: Principal, id: string): Promise<SessionResponseDto> {
    return toSessionResponse(await this.getEntity(principal, id));
  }

  async list(principal: Principal, query: ListSessionsQueryDto): Promise<SessionPageDto> {
    const before = query.cursor ? decodeCursor<{ t: string; id: string }>(query.cursor, ['t', 'id']) : undefined;
    const rows = await this.repository.list(
      principal.workspaceId,
      {
        projectId: query.project_id,
        suiteId: query.suite_id,
        agentName: query.agent,
        agentVersion: query.agent_version,
        status: query.status,
        source: query.source,
        startedAfter: query.started_after ? new Date(query.started_after) : undefined,
        startedBefore: query.started_before ? new Date(query.started_before) : undefined,
        before: before && { createdAt: new Date(before.t), id: before.id },
      },
      query.limit,
    );
    const page = toPage(rows, query.limit, (row) => ({ t: row.createdAt.toISOString(), id: row.id }));
    return { data: page.data.map(toSessionResponse), next_cursor: page.next_cursor };
  }

  async listAgents(principal: Principal, projectId?: string): Promise<AgentSummaryDto[]> {
    const rows = await this.repository.listAgents(principal.workspaceId, projectId);
    return rows.map((row) => ({
      name: row.agent_name,
      versions: row.versions ?? [],
      session_count: row.session_count,
      failed_count: row.failed_count,
      last_session_at: new Date(row.last_session_at).toISOString(),
    }));
  }

  /** Explicit project, else the key's pinned project, else the workspace's `default` project. */
  async resolveProject(principal: Principal, requested?: string): Promise<string> {
    if (requested) {
      const project = await this.workspaces.getProject(principal.workspaceId, requested);
      if (!project) throw new NotFoundAppException('Project', requested);
      return project.id;
    }
    if (principal.projectId) return principal.projectId;
    const fallback = await this.workspaces.getProjectBySlug(principal.workspaceId, 'default');
    if (!fallback) {
      throw new SessionsException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        SessionsErrorCode.ProjectRequired,
        'project_id is required',
        {
          errors: [{ field: 'project_id', message: 'project_id is required: the workspace has no default project' }],
        },
      );
    }
    return fallback.id;
  }

  private async findExisting(workspaceId: string, projectId: string, input: NewSession) {
    if (input.id) return this.repository.getById(workspaceId, input.id);
    if (input.clientKey) return this.repository.getByClientKey(workspaceId, projectId, input.clientKey);
    return null;
  }

  private assertSameSession(existing: SessionEntity, projectId: string, input: NewSession): SessionEntity {
    const same =
      existing.projectId === projectId &&
      existing.agentName === input.agentName &&
      existing.agentVersion === (input.agentVersion ?? null);
    if (!same) {
      throw new SessionsException(
        HttpStatus.CONFLICT,
        SessionsErrorCode.SessionIdTaken,
        `Session ${existing.id} already exists with another project or agent`,
      );
    }
    return existing;
  }
}

export function toSessionResponse(row: SessionEntity): SessionResponseDto {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    project_id: row.projectId,
    suite_id: row.suiteId,
    source: row.source,
    status: row.status,
    agent: { name: row.agentName, version: row.agentVersion },
    metadata: row.metadata,
    event_count: row.eventCount,
    last_seq: Number(row.lastSeq),
    started_at: row.startedAt.toISOString(),
    ended_at: row.endedAt?.toISOString() ?? null,
    last_event_at: row.lastEventAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
  };
}
