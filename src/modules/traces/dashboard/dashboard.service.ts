import { Injectable } from '@nestjs/common';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import type { Principal } from 'src/modules/auth/principal';
import { DashboardRepository, RootRunRow } from './dashboard.repository';
import type { DashboardSummaryDto, RootRunsQueryDto, RootRunsResponseDto, TraceRunDto } from './dto/dashboard.dto';
import { buildRunTree, treeJson } from './run-tree';

const DAY_MS = 24 * 60 * 60 * 1000;
const RECENT_PROJECTS = 10;
const STATUSES = ['running', 'completed', 'failed'];

/** Agent Spy's dashboard reads over the runs of the caller's workspace. */
@Injectable()
export class DashboardService {
  constructor(private readonly repository: DashboardRepository) {}

  async listRoots(principal: Principal, query: RootRunsQueryDto): Promise<RootRunsResponseDto> {
    const projectIds = query.project
      ? await this.repository.findProjects(principal.workspaceId, query.project)
      : undefined;
    if (projectIds && projectIds.length === 0) {
      return { runs: [], total: 0, limit: query.limit, offset: query.offset, has_more: false };
    }
    const { rows, total } = await this.repository.listRoots(
      principal.workspaceId,
      {
        projectIds,
        status: query.status,
        search: query.search,
        startTimeGte: query.start_time_gte,
        startTimeLte: query.start_time_lte,
      },
      query.limit,
      query.offset,
    );
    return {
      runs: rows.map(toTraceRun),
      total,
      limit: query.limit,
      offset: query.offset,
      has_more: query.offset + rows.length < total,
    };
  }

  /**
   * The tree of a trace (or of the subtree under a run, given a run id), as JSON text: built and
   * written without recursion, so a trace of any depth is answered.
   */
  async hierarchyJson(principal: Principal, id: string): Promise<string> {
    let traceId = id;
    let rootId: string | undefined;
    let rows = await this.repository.traceRuns(principal.workspaceId, id);
    if (rows.length === 0) {
      const trace = await this.repository.traceOf(principal.workspaceId, id);
      if (trace) {
        traceId = trace;
        rootId = id;
        rows = await this.repository.traceRuns(principal.workspaceId, trace);
      }
    }
    const tree = buildRunTree(rows, rootId);
    if (!tree) throw new NotFoundAppException('Trace', id);
    const orphans = tree.orphans.map(treeJson).join(',');
    return (
      `{"root_run_id":${JSON.stringify(tree.root.id)},"trace_id":${JSON.stringify(traceId)},` +
      `"total_runs":${tree.totalRuns},"max_depth":${tree.maxDepth},"orphans":[${orphans}],` +
      `"hierarchy":${treeJson(tree.root)}}`
    );
  }

  async summary(principal: Principal): Promise<DashboardSummaryDto> {
    const now = new Date();
    const [groups, traces, recent] = await Promise.all([
      this.repository.stats(principal.workspaceId),
      this.repository.tracesByProject(principal.workspaceId),
      this.repository.recentRuns(principal.workspaceId, new Date(now.getTime() - DAY_MS)),
    ]);
    const names = await this.repository.projectNames(principal.workspaceId, [
      ...new Set(groups.map((g) => g.project_id)),
    ]);
    const tracesOf = new Map(traces.map((t) => [t.project_id, t.traces]));
    const status: Record<string, number> = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    const runType: Record<string, number> = {};
    const byProject = new Map<string, { runs: number; last: string }>();
    let total = 0;
    for (const g of groups) {
      total += g.runs;
      status[g.status] = (status[g.status] ?? 0) + g.runs;
      runType[g.run_type] = (runType[g.run_type] ?? 0) + g.runs;
      const p = byProject.get(g.project_id) ?? { runs: 0, last: g.last_activity };
      p.runs += g.runs;
      if (g.last_activity > p.last) p.last = g.last_activity;
      byProject.set(g.project_id, p);
    }
    const projectDistribution: Record<string, number> = {};
    for (const [id, p] of byProject) {
      const name = names.get(id) ?? id;
      projectDistribution[name] = (projectDistribution[name] ?? 0) + p.runs;
    }
    const recentProjects = [...byProject.entries()]
      .sort(([, a], [, b]) => (a.last < b.last ? 1 : a.last > b.last ? -1 : 0))
      .slice(0, RECENT_PROJECTS)
      .map(([id, p]) => ({
        name: names.get(id) ?? id,
        total_runs: p.runs,
        total_traces: tracesOf.get(id) ?? 0,
        last_activity: p.last,
      }));
    return {
      stats: {
        total_runs: total,
        total_traces: traces.reduce((sum, t) => sum + t.traces, 0),
        recent_runs_24h: recent,
        status_distribution: status,
        run_type_distribution: runType,
        project_distribution: projectDistribution,
      },
      recent_projects: recentProjects,
      timestamp: now.toISOString(),
    };
  }
}

function toTraceRun(row: RootRunRow): TraceRunDto {
  return {
    id: row.id,
    trace_id: row.trace_id,
    name: row.name,
    run_type: row.run_type,
    status: row.status,
    start_time: row.start_time,
    end_time: row.end_time,
    duration_ms: row.duration_ms,
    inputs: row.inputs,
    outputs: row.outputs,
    error: row.error,
    project_name: row.project_name,
    project_id: row.project_id,
    tags: row.tags ?? [],
  };
}
