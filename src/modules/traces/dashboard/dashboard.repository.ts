import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DURATION_MS, ts } from 'src/modules/traces/runs/runs.repository';
import type { RunStatus } from 'src/modules/traces/runs/runs.types';

export interface RootRunFilter {
  projectIds?: string[];
  status?: RunStatus;
  search?: string;
  startTimeGte?: string;
  startTimeLte?: string;
}

export interface RootRunRow {
  id: string;
  trace_id: string;
  name: string;
  run_type: string;
  status: RunStatus;
  start_time: string;
  end_time: string | null;
  duration_ms: number | null;
  inputs: Record<string, unknown> | null;
  outputs: Record<string, unknown> | null;
  error: string | null;
  project_id: string;
  project_name: string;
  tags: string[] | null;
}

export interface TreeRunRow {
  id: string;
  parent_run_id: string | null;
  name: string;
  run_type: string;
  status: RunStatus;
  start_time: string;
  end_time: string | null;
  duration_ms: number | null;
  error: string | null;
}

export interface StatsRow {
  project_id: string;
  status: string;
  run_type: string;
  runs: number;
  last_activity: string;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The dashboard's reads; every query filters by the workspace first. */
@Injectable()
export class DashboardRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Root runs (no parent), newest first, and how many match. */
  async listRoots(
    workspaceId: string,
    filter: RootRunFilter,
    limit: number,
    offset: number,
  ): Promise<{ rows: RootRunRow[]; total: number }> {
    const where = `r.workspace_id = $1 AND r.parent_run_id IS NULL
      AND ($2::uuid[] IS NULL OR r.project_id = ANY($2::uuid[]))
      AND ($3::text IS NULL OR r.status = $3)
      AND ($4::text IS NULL OR r.name ILIKE $4 ESCAPE '\\')
      AND ($5::timestamptz IS NULL OR r.start_time >= $5)
      AND ($6::timestamptz IS NULL OR r.start_time <= $6)`;
    const params = [
      workspaceId,
      filter.projectIds ?? null,
      filter.status ?? null,
      filter.search ? `%${escapeLike(filter.search)}%` : null,
      filter.startTimeGte ?? null,
      filter.startTimeLte ?? null,
    ];
    const [rows, [count]] = await Promise.all([
      this.dataSource.query<RootRunRow[]>(
        `SELECT r.id, r.trace_id, r.name, r.run_type, r.status, ${ts('r.start_time')} AS start_time,
                ${ts('r.end_time')} AS end_time, ${DURATION_MS} AS duration_ms, r.inputs, r.outputs, r.error,
                r.project_id, p.name AS project_name, r.tags
           FROM runs r JOIN projects p ON p.id = r.project_id
          WHERE ${where}
          ORDER BY r.start_time DESC, r.id DESC
          LIMIT $7 OFFSET $8`,
        [...params, limit, offset],
      ),
      this.dataSource.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM runs r WHERE ${where}`, params),
    ]);
    return { rows, total: count.total };
  }

  /** Projects of the workspace a dashboard filter names (by id, slug or name). */
  async findProjects(workspaceId: string, ref: string): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM projects WHERE workspace_id = $1 AND (id::text = $2 OR slug = $2 OR name = $2)`,
      [workspaceId, ref],
    );
    return rows.map((r) => r.id);
  }

  /** Every run of a trace, in start order: one query, whatever the depth. */
  traceRuns(workspaceId: string, traceId: string): Promise<TreeRunRow[]> {
    return this.dataSource.query(
      `SELECT r.id, r.parent_run_id, r.name, r.run_type, r.status, ${ts('r.start_time')} AS start_time,
              ${ts('r.end_time')} AS end_time, ${DURATION_MS} AS duration_ms, r.error
         FROM runs r
        WHERE r.workspace_id = $1 AND r.trace_id = $2
        ORDER BY r.start_time, r.id`,
      [workspaceId, traceId],
    );
  }

  async traceOf(workspaceId: string, runId: string): Promise<string | null> {
    const rows: { trace_id: string }[] = await this.dataSource.query(
      `SELECT trace_id FROM runs WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, runId],
    );
    return rows[0]?.trace_id ?? null;
  }

  /** Run counts by project, status and type, with the latest start of each group. */
  stats(workspaceId: string): Promise<StatsRow[]> {
    return this.dataSource.query(
      `SELECT project_id, status, run_type, count(*)::int AS runs, ${ts('max(start_time)')} AS last_activity
         FROM runs WHERE workspace_id = $1
        GROUP BY project_id, status, run_type`,
      [workspaceId],
    );
  }

  /** Distinct traces per project. */
  tracesByProject(workspaceId: string): Promise<{ project_id: string; traces: number }[]> {
    return this.dataSource.query(
      `SELECT project_id, count(DISTINCT trace_id)::int AS traces FROM runs WHERE workspace_id = $1 GROUP BY project_id`,
      [workspaceId],
    );
  }

  async recentRuns(workspaceId: string, since: Date): Promise<number> {
    const [row]: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM runs WHERE workspace_id = $1 AND start_time >= $2`,
      [workspaceId, since],
    );
    return row.n;
  }

  async projectNames(workspaceId: string, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; name: string }[] = await this.dataSource.query(
      `SELECT id, name FROM projects WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
      [workspaceId, ids],
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
