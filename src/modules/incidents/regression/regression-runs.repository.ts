import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { StoredFinding } from '../entities/analysis.entity';
import { RegressionRunEntity } from './entities/regression-run.entity';

export type NewRegressionRun = Pick<
  RegressionRunEntity,
  | 'workspaceId'
  | 'incidentId'
  | 'agentName'
  | 'baselineVersions'
  | 'candidateVersion'
  | 'since'
  | 'until'
  | 'createdByUserId'
>;

export interface SessionWindow {
  since: Date | null;
  until: Date | null;
}

/** A session and the state of its analysis, as a regression run counts it. */
export interface AnalysisState {
  sessionId: string;
  eventCount: number;
  /** Null: never analysed. */
  analysedEventCount: number | null;
  truncated: boolean;
  findings: StoredFinding[];
}

@Injectable()
export class RegressionRunsRepository {
  constructor(@InjectRepository(RegressionRunEntity) private readonly runs: Repository<RegressionRunEntity>) {}

  async insert(manager: EntityManager, run: NewRegressionRun): Promise<RegressionRunEntity> {
    const repo = manager.getRepository(RegressionRunEntity);
    return repo.save(repo.create({ ...run, status: 'queued', progress: { phase: 'queued', done: 0, total: 0 } }));
  }

  getById(workspaceId: string, id: string, manager?: EntityManager): Promise<RegressionRunEntity | null> {
    return (manager?.getRepository(RegressionRunEntity) ?? this.runs).findOneBy({ workspaceId, id });
  }

  getOfIncident(workspaceId: string, incidentId: string, id: string): Promise<RegressionRunEntity | null> {
    return this.runs.findOneBy({ workspaceId, incidentId, id });
  }

  /** Newest first; `before` is the previous page's last row. */
  list(
    workspaceId: string,
    incidentId: string,
    limit: number,
    before?: { createdAt: Date; id: string },
  ): Promise<RegressionRunEntity[]> {
    const qb = this.runs
      .createQueryBuilder('r')
      .where('r.workspace_id = :workspaceId AND r.incident_id = :incidentId', { workspaceId, incidentId })
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(limit + 1);
    if (before) qb.andWhere('(r.created_at, r.id) < (:createdAt, :id)', before);
    return qb.getMany();
  }

  /** Runs `work` in one transaction (a run's final state and its audit row go together). */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.runs.manager.transaction(work);
  }

  async update(
    workspaceId: string,
    id: string,
    changes: QueryDeepPartialEntity<RegressionRunEntity>,
    manager?: EntityManager,
  ): Promise<void> {
    await (manager ?? this.runs.manager)
      .createQueryBuilder()
      .update(RegressionRunEntity)
      .set(changes)
      .where('workspace_id = :workspaceId AND id = :id', { workspaceId, id })
      .execute();
  }

  /** Each version of the agent seen in the workspace, with its first session's start. */
  async versionsOf(workspaceId: string, agentName: string): Promise<{ version: string; firstSeen: Date }[]> {
    const rows: { version: string; first_seen: Date }[] = await this.runs.manager.query(
      `SELECT agent_version AS version, min(started_at) AS first_seen
         FROM sessions
        WHERE workspace_id = $1 AND agent_name = $2 AND agent_version IS NOT NULL
        GROUP BY agent_version`,
      [workspaceId, agentName],
    );
    return rows.map((r) => ({ version: r.version, firstSeen: new Date(r.first_seen) }));
  }

  /** Ids of the agent's sessions of these versions that started in the window, most recent first. */
  async sessionIds(
    workspaceId: string,
    agentName: string,
    versions: string[],
    window: SessionWindow,
    limit: number,
  ): Promise<string[]> {
    const rows: { id: string }[] = await this.runs.manager.query(
      `SELECT id FROM sessions
        WHERE workspace_id = $1 AND agent_name = $2 AND agent_version = ANY($3::text[])
          AND ($4::timestamptz IS NULL OR started_at >= $4) AND ($5::timestamptz IS NULL OR started_at < $5)
        ORDER BY started_at DESC, id DESC
        LIMIT $6`,
      [workspaceId, agentName, versions, window.since, window.until, limit],
    );
    return rows.map((r) => r.id);
  }

  /** The sessions (still there) and their analyses. */
  async analysisStates(workspaceId: string, sessionIds: string[]): Promise<AnalysisState[]> {
    if (sessionIds.length === 0) return [];
    const rows: {
      session_id: string;
      event_count: number;
      analysed_event_count: number | null;
      truncated: boolean | null;
      findings: StoredFinding[] | null;
    }[] = await this.runs.manager.query(
      `SELECT s.id AS session_id, s.event_count, a.event_count AS analysed_event_count, a.truncated, a.findings
         FROM sessions s LEFT JOIN analyses a ON a.session_id = s.id AND a.workspace_id = s.workspace_id
        WHERE s.workspace_id = $1 AND s.id = ANY($2::uuid[])`,
      [workspaceId, sessionIds],
    );
    return rows.map((r) => ({
      sessionId: r.session_id,
      eventCount: r.event_count,
      analysedEventCount: r.analysed_event_count,
      truncated: r.truncated ?? false,
      findings: r.findings ?? [],
    }));
  }
}
