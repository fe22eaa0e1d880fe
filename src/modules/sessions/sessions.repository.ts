import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { EventEntity } from './entities/event.entity';
import { SessionEntity, SessionSource, SessionStatus } from './entities/session.entity';

export interface SessionFilter {
  projectId?: string;
  suiteId?: string;
  agentName?: string;
  agentVersion?: string;
  status?: SessionStatus;
  source?: SessionSource;
  startedAfter?: Date;
  startedBefore?: Date;
  /** Keyset position of the previous page's last row (newest first). */
  before?: { createdAt: Date; id: string };
}

export interface AgentSummaryRow {
  agent_name: string;
  versions: string[];
  session_count: number;
  failed_count: number;
  last_session_at: Date;
}

@Injectable()
export class SessionsRepository {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(EventEntity) private readonly events: Repository<EventEntity>,
  ) {}

  getById(workspaceId: string, id: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ workspaceId, id });
  }

  /** Any workspace: only to tell an id collision from a new session. */
  existsAnywhere(id: string): Promise<boolean> {
    return this.sessions.existsBy({ id });
  }

  getByClientKey(workspaceId: string, projectId: string, clientKey: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ workspaceId, projectId, clientKey });
  }

  /** Inserts unless the id or client key is taken (a concurrent retry); the caller re-reads. */
  async insertIfAbsent(session: Partial<SessionEntity>): Promise<boolean> {
    const result = await this.sessions
      .createQueryBuilder()
      .insert()
      .into(SessionEntity)
      .values(session as QueryDeepPartialEntity<SessionEntity>)
      .orIgnore()
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  list(workspaceId: string, filter: SessionFilter, limit: number): Promise<SessionEntity[]> {
    const qb = this.sessions
      .createQueryBuilder('s')
      .where('s.workspace_id = :workspaceId', { workspaceId })
      .orderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .limit(limit + 1);
    if (filter.projectId) qb.andWhere('s.project_id = :projectId', { projectId: filter.projectId });
    if (filter.suiteId) qb.andWhere('s.suite_id = :suiteId', { suiteId: filter.suiteId });
    if (filter.agentName) qb.andWhere('s.agent_name = :agentName', { agentName: filter.agentName });
    if (filter.agentVersion) qb.andWhere('s.agent_version = :agentVersion', { agentVersion: filter.agentVersion });
    if (filter.status) qb.andWhere('s.status = :status', { status: filter.status });
    if (filter.source) qb.andWhere('s.source = :source', { source: filter.source });
    if (filter.startedAfter) qb.andWhere('s.started_at >= :startedAfter', { startedAfter: filter.startedAfter });
    if (filter.startedBefore) qb.andWhere('s.started_at < :startedBefore', { startedBefore: filter.startedBefore });
    if (filter.before) qb.andWhere('(s.created_at, s.id) < (:createdAt, :id)', filter.before);
    return qb.getMany();
  }

  /** Agents seen in the workspace, with their versions and run counts (execution history). */
  listAgents(workspaceId: string, projectId?: string): Promise<AgentSummaryRow[]> {
    return this.sessions.query(
      `SELECT agent_name,
              array_agg(DISTINCT agent_version ORDER BY agent_version) FILTER (WHERE agent_version IS NOT NULL) AS versions,
              count(*)::int AS session_count,
              count(*) FILTER (WHERE status = 'failed')::int AS failed_count,
              max(created_at) AS last_session_at
         FROM sessions
        WHERE workspace_id = $1 AND ($2::uuid IS NULL OR project_id = $2)
        GROUP BY agent_name
        ORDER BY max(created_at) DESC`,
      [workspaceId, projectId ?? null],
    );
  }

  /** A page of a session's log in replay order (seq, sub_seq), after a position. */
  listEvents(
    workspaceId: string,
    sessionId: string,
    after: { seq: number; subSeq: number },
    limit: number,
    types?: string[],
  ): Promise<EventEntity[]> {
    const qb = this.events
      .createQueryBuilder('e')
      .where('e.session_id = :sessionId AND e.workspace_id = :workspaceId', { sessionId, workspaceId })
      .andWhere('(e.seq, e.sub_seq) > (:seq, :subSeq)', after)
      .orderBy('e.seq', 'ASC')
      .addOrderBy('e.sub_seq', 'ASC')
      .limit(limit + 1);
    if (types && types.length > 0) qb.andWhere('e.type IN (:...types)', { types });
    return qb.getMany();
  }
}
