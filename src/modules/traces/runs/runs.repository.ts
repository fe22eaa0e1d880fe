import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { RunAttachmentRef } from './entities/run.entity';
import type { NormalizedRun } from './run-input.normalizer';
import { PENDING_RETENTION_DAYS } from './runs.constants';
import type { RunEventInput, RunSource, RunStatus } from './runs.types';

/** A post ready to write: its trace and the project a new session would go to are known. */
export interface PostRow {
  run: NormalizedRun & { traceId: string };
  projectId: string;
  attachments?: Record<string, RunAttachmentRef>;
}

/**
 * A run as written, with what its session events need. For a run the statement created, only
 * the computed fields are returned (the caller has the rest); for a run it merged into or
 * updated, the stored values are.
 */
export interface WrittenRun {
  id: string;
  inserted: boolean;
  trace_id: string;
  session_id: string;
  project_id: string;
  parent_run_id: string | null;
  status: RunStatus;
  start_time: string;
  end_time: string | null;
  /** Only for runs that were not created by this statement. */
  name?: string;
  run_type?: string;
  inputs?: Record<string, unknown> | null;
  outputs?: Record<string, unknown> | null;
  error?: string | null;
  tags?: string[] | null;
  metadata?: unknown;
}

/** The session of a trace as the post statement saw it. */
export interface TraceSession {
  id: string;
  workspace_id: string;
  project_id: string;
  agent_name: string;
  source: string;
  created: boolean;
}

export interface PostWriteResult {
  runs: WrittenRun[];
  sessions: TraceSession[];
}

/** A stored run in the LangSmith wire shape, with its project's name. */
export interface RunRow {
  id: string;
  name: string;
  run_type: string;
  status: RunStatus;
  start_time: string;
  end_time: string | null;
  duration_ms: number | null;
  trace_id: string;
  parent_run_id: string | null;
  dotted_order: string | null;
  project_id: string;
  project_name: string;
  inputs: Record<string, unknown> | null;
  outputs: Record<string, unknown> | null;
  error: string | null;
  extra: Record<string, unknown> | null;
  tags: string[] | null;
  events: unknown[] | null;
  serialized: Record<string, unknown> | null;
  reference_example_id: string | null;
  attachments: Record<string, RunAttachmentRef> | null;
  source: RunSource;
}

export interface StoredRunRef {
  id: string;
  workspace_id: string;
  project_id: string;
  trace_id: string;
}

export interface PendingPatchRow {
  id: string;
  run_id: string;
  pinned_project_id: string | null;
  source: RunSource;
  patch: NormalizedRun;
  extra_events: RunEventInput[] | null;
  attachments: Record<string, RunAttachmentRef> | null;
}

export interface NewPendingPatch {
  runId: string;
  patch: NormalizedRun;
  extraEvents?: RunEventInput[];
  attachments?: Record<string, RunAttachmentRef>;
}

/** Times as PostgreSQL keeps them: UTC with microseconds. */
export const ts = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Milliseconds between start and end (microsecond precision), null while running. */
export const DURATION_MS = `round((extract(epoch FROM (r.end_time - r.start_time)) * 1000)::numeric, 3)::float8`;

const STATUS = (end: string, error: string) =>
  `CASE WHEN ${end} IS NULL THEN 'running' WHEN ${error} IS NOT NULL THEN 'failed' ELSE 'completed' END`;

/** Columns of an update, as `json_to_recordset` reads them. */
const PATCH_COLUMNS = `id uuid, name text, run_type text, start_time timestamptz, end_time timestamptz, inputs jsonb,
  outputs jsonb, error text, extra jsonb, tags text[], events jsonb, serialized jsonb, reference_example_id uuid,
  attachments jsonb`;

/** What the session events of a merged or updated run need. */
const RETURNING_STORED = `r.id, false AS inserted, r.trace_id, r.session_id, r.project_id, r.parent_run_id, r.status,
  ${ts('r.start_time')} AS start_time, ${ts('r.end_time')} AS end_time, r.name, r.run_type, r.inputs, r.outputs,
  r.error, r.tags, r.extra -> 'metadata' AS metadata`;

const toPatchRecord = (run: NormalizedRun, attachments?: Record<string, RunAttachmentRef> | null) => ({
  id: run.id,
  name: run.name,
  run_type: run.runType,
  start_time: run.startTime,
  end_time: run.endTime,
  inputs: run.inputs,
  outputs: run.outputs,
  error: run.error,
  extra: run.extra,
  tags: run.tags,
  events: run.events,
  serialized: run.serialized,
  reference_example_id: run.referenceExampleId,
  attachments: attachments ?? undefined,
});

/**
 * The SQL of run ingestion: set-based statements over `json_to_recordset`, so a batch of any size
 * costs the same few round trips. Every statement takes the workspace first. Writes that return
 * rows are wrapped in a CTE and selected (TypeORM answers a top-level UPDATE with [rows, count]).
 */
@Injectable()
export class RunsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One statement: creates the sessions of new traces and creates or merges the runs (a re-sent
   * post merges: its fields win, fields it lacks keep their stored value). A run is written only
   * when its trace's session is in the
   * workspace (and, for a pinned key, in its project); a run id of another workspace, or of
   * another trace, is left untouched and missing from `runs`.
   */
  async writePosts(
    workspaceId: string,
    pinnedProjectId: string | null,
    source: RunSource,
    rows: PostRow[],
  ): Promise<PostWriteResult> {
    const input = rows.map(({ run, projectId, attachments }, ord) => ({
      ...toPatchRecord(run, attachments),
      trace_id: run.traceId,
      parent_run_id: run.parentRunId ?? null,
      dotted_order: run.dottedOrder,
      project_id: projectId,
      ord,
    }));
    const [result] = await this.dataSource.query<PostWriteResult[]>(
      `WITH input AS (
         SELECT * FROM json_to_recordset($2::json) AS i(${PATCH_COLUMNS}, trace_id uuid, parent_run_id uuid,
                                                          dotted_order text, project_id uuid, ord int)
       ),
       traces AS (
         SELECT DISTINCT ON (trace_id) trace_id, project_id, name, start_time FROM input
          ORDER BY trace_id, (parent_run_id IS NULL) DESC, start_time, ord
       ),
       created_sessions AS (
         INSERT INTO sessions (id, workspace_id, project_id, source, status, agent_name, metadata, started_at)
         SELECT t.trace_id, $1, t.project_id, $3, 'running', t.name, '{}'::jsonb, t.start_time FROM traces t
         ON CONFLICT (id) DO NOTHING
         RETURNING id, workspace_id, project_id, agent_name, source
       ),
       known_sessions AS (
         SELECT c.*, true AS created FROM created_sessions c
         UNION ALL
         SELECT s.id, s.workspace_id, s.project_id, s.agent_name, s.source, false
           FROM sessions s WHERE s.id = ANY($5::uuid[])
       ),
       writable AS (
         SELECT i.*, k.project_id AS session_project_id FROM input i JOIN known_sessions k ON k.id = i.trace_id
          WHERE k.workspace_id = $1 AND ($4::uuid IS NULL OR k.project_id = $4)
       ),
       upserted AS (
         INSERT INTO runs AS r (id, workspace_id, project_id, session_id, trace_id, parent_run_id, dotted_order, name,
                                run_type, status, start_time, end_time, inputs, outputs, error, extra, tags, events,
                                serialized, reference_example_id, attachments, source)
         SELECT w.id, $1, w.session_project_id, w.trace_id, w.trace_id, w.parent_run_id, w.dotted_order, w.name,
                w.run_type, ${STATUS('w.end_time', 'w.error')}, w.start_time, w.end_time, w.inputs, w.outputs, w.error,
                w.extra, w.tags, w.events, w.serialized, w.reference_example_id, w.attachments, $3
           FROM writable w
         ON CONFLICT (id) DO UPDATE SET
           name = EXCLUDED.name,
           run_type = EXCLUDED.run_type,
           start_time = EXCLUDED.start_time,
           end_time = COALESCE(EXCLUDED.end_time, r.end_time),
           inputs = COALESCE(EXCLUDED.inputs, r.inputs),
           outputs = COALESCE(EXCLUDED.outputs, r.outputs),
           error = COALESCE(EXCLUDED.error, r.error),
           extra = COALESCE(EXCLUDED.extra, r.extra),
           tags = COALESCE(EXCLUDED.tags, r.tags),
           events = COALESCE(EXCLUDED.events, r.events),
           serialized = COALESCE(EXCLUDED.serialized, r.serialized),
           reference_example_id = COALESCE(EXCLUDED.reference_example_id, r.reference_example_id),
           dotted_order = COALESCE(r.dotted_order, EXCLUDED.dotted_order),
           attachments = CASE WHEN EXCLUDED.attachments IS NULL THEN r.attachments
                              ELSE COALESCE(r.attachments, '{}'::jsonb) || EXCLUDED.attachments END,
           status = ${STATUS('COALESCE(EXCLUDED.end_time, r.end_time)', 'COALESCE(EXCLUDED.error, r.error)')},
           updated_at = now()
         WHERE r.workspace_id = $1 AND r.trace_id = EXCLUDED.trace_id
         RETURNING r.id, (r.xmax = 0) AS inserted, r.trace_id, r.session_id, r.project_id, r.parent_run_id, r.status,
                   ${ts('r.start_time')} AS start_time, ${ts('r.end_time')} AS end_time,
                   CASE WHEN r.xmax = 0 THEN NULL ELSE r.name END AS name,
                   CASE WHEN r.xmax = 0 THEN NULL ELSE r.run_type END AS run_type,
                   CASE WHEN r.xmax = 0 THEN NULL ELSE r.inputs END AS inputs,
                   CASE WHEN r.xmax = 0 THEN NULL ELSE r.outputs END AS outputs,
                   CASE WHEN r.xmax = 0 THEN NULL ELSE r.error END AS error,
                   CASE WHEN r.xmax = 0 THEN NULL ELSE r.tags END AS tags,
                   CASE WHEN r.xmax = 0 THEN NULL ELSE r.extra -> 'metadata' END AS metadata
       )
       SELECT (SELECT coalesce(json_agg(u), '[]'::json) FROM upserted u) AS runs,
              (SELECT coalesce(json_agg(k), '[]'::json) FROM known_sessions k) AS sessions`,
      [workspaceId, JSON.stringify(input), source, pinnedProjectId, [...new Set(rows.map((r) => r.run.traceId))]],
    );
    return result;
  }

  /**
   * Runs among `ids` with patches or feedback waiting for them. Called after the runs' write has
   * committed (never in the same statement): a patch kept concurrently is then either seen here,
   * or its sender sees the run when it checks after keeping it.
   */
  async waitingFor(workspaceId: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows: { run_id: string }[] = await this.dataSource.query(
      `SELECT run_id FROM run_pending_patches WHERE workspace_id = $1 AND run_id = ANY($2::uuid[])
       UNION
       SELECT run_id FROM run_feedback WHERE workspace_id = $1 AND session_id IS NULL AND run_id = ANY($2::uuid[])`,
      [workspaceId, ids],
    );
    return rows.map((r) => r.run_id);
  }

  /** Names a trace's session after its root run (it was named after the first run seen). */
  async renameSessions(workspaceId: string, names: { id: string; agentName: string }[]): Promise<void> {
    if (names.length === 0) return;
    await this.dataSource.query(
      `UPDATE sessions s SET agent_name = n.agent_name, updated_at = now()
         FROM json_to_recordset($2::json) AS n(id uuid, agent_name text)
        WHERE s.id = n.id AND s.workspace_id = $1 AND s.source IN ('langsmith', 'otlp')
          AND s.agent_name <> n.agent_name`,
      [workspaceId, JSON.stringify(names.map((n) => ({ id: n.id, agent_name: n.agentName })))],
    );
  }

  /**
   * One statement: applies updates to stored runs of the workspace (and of the pinned project,
   * if any). Fields a patch lacks keep their value; the status follows. Runs not updated are
   * missing from the result.
   */
  async writePatches(
    workspaceId: string,
    pinnedProjectId: string | null,
    patches: { run: NormalizedRun; attachments?: Record<string, RunAttachmentRef> | null }[],
    manager?: EntityManager,
  ): Promise<WrittenRun[]> {
    if (patches.length === 0) return [];
    return (manager ?? this.dataSource).query<WrittenRun[]>(
      `WITH input AS (SELECT * FROM json_to_recordset($2::json) AS i(${PATCH_COLUMNS})),
       updated AS (
       UPDATE runs r SET
         name = COALESCE(i.name, r.name),
         run_type = COALESCE(i.run_type, r.run_type),
         start_time = COALESCE(i.start_time, r.start_time),
         end_time = COALESCE(i.end_time, r.end_time),
         inputs = COALESCE(i.inputs, r.inputs),
         outputs = COALESCE(i.outputs, r.outputs),
         error = COALESCE(i.error, r.error),
         extra = COALESCE(i.extra, r.extra),
         tags = COALESCE(i.tags, r.tags),
         events = COALESCE(i.events, r.events),
         serialized = COALESCE(i.serialized, r.serialized),
         reference_example_id = COALESCE(i.reference_example_id, r.reference_example_id),
         attachments = CASE WHEN i.attachments IS NULL THEN r.attachments
                            ELSE COALESCE(r.attachments, '{}'::jsonb) || i.attachments END,
         status = ${STATUS('COALESCE(i.end_time, r.end_time)', 'COALESCE(i.error, r.error)')},
         updated_at = now()
        FROM input i
       WHERE r.id = i.id AND r.id = ANY($4::uuid[]) AND r.workspace_id = $1 AND ($3::uuid IS NULL OR r.project_id = $3)
       RETURNING ${RETURNING_STORED}
       )
       SELECT * FROM updated`,
      [
        workspaceId,
        JSON.stringify(patches.map((p) => toPatchRecord(p.run, p.attachments))),
        pinnedProjectId,
        // The ids again as an array: the planner then reads the runs by primary key, never by a scan.
        patches.map((p) => p.run.id),
      ],
    );
  }

  /** Stored runs among `ids`, in any workspace (to tell a foreign id from a missing one). */
  findRuns(ids: string[], manager?: EntityManager): Promise<StoredRunRef[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return (manager ?? this.dataSource).query(
      `SELECT id, workspace_id, project_id, trace_id FROM runs WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /** Keeps patches whose run is not stored yet; forgets the workspace's expired ones. */
  async insertPendingPatches(
    workspaceId: string,
    pinnedProjectId: string | null,
    source: RunSource,
    patches: NewPendingPatch[],
  ): Promise<void> {
    await this.dataSource.query(
      `WITH expired AS (
         DELETE FROM run_pending_patches
          WHERE workspace_id = $1 AND received_at < now() - make_interval(days => $5)
       )
       INSERT INTO run_pending_patches (workspace_id, run_id, pinned_project_id, source, patch, extra_events, attachments)
       SELECT $1, p.run_id, $2, $3, p.patch, p.extra_events, p.attachments
         FROM json_to_recordset($4::json) AS p(run_id uuid, patch jsonb, extra_events jsonb, attachments jsonb)`,
      [
        workspaceId,
        pinnedProjectId,
        source,
        JSON.stringify(
          patches.map((p) => ({
            run_id: p.runId,
            patch: p.patch,
            extra_events: p.extraEvents ?? null,
            attachments: p.attachments ?? null,
          })),
        ),
        PENDING_RETENTION_DAYS,
      ],
    );
  }

  /** Takes (deletes and returns) the patches waiting for these runs, oldest first. */
  async takePendingPatches(manager: EntityManager, workspaceId: string, runIds: string[]): Promise<PendingPatchRow[]> {
    const rows: PendingPatchRow[] = await manager.query(
      `WITH taken AS (
         DELETE FROM run_pending_patches WHERE workspace_id = $1 AND run_id = ANY($2::uuid[])
         RETURNING id, run_id, pinned_project_id, source, patch, extra_events, attachments
       )
       SELECT * FROM taken`,
      [workspaceId, runIds],
    );
    return rows.sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** Locks the stored runs of the workspace among `ids` and returns their project and trace. */
  lockRuns(manager: EntityManager, workspaceId: string, ids: string[]): Promise<StoredRunRef[]> {
    return manager.query(
      `SELECT id, workspace_id, project_id, trace_id FROM runs
        WHERE workspace_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
      [workspaceId, ids],
    );
  }

  /** The trace of each stored run of the workspace among `ids` (for runs that name only their parent). */
  async traceIdsOf(workspaceId: string, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; trace_id: string }[] = await this.dataSource.query(
      `SELECT id, trace_id FROM runs WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
      [workspaceId, ids],
    );
    return new Map(rows.map((r) => [r.id, r.trace_id]));
  }

  async getRun(workspaceId: string, id: string): Promise<RunRow | null> {
    const rows: RunRow[] = await this.dataSource.query(
      `SELECT r.id, r.name, r.run_type, r.status, ${ts('r.start_time')} AS start_time, ${ts('r.end_time')} AS end_time,
              ${DURATION_MS} AS duration_ms, r.trace_id, r.parent_run_id, r.dotted_order, r.project_id,
              p.name AS project_name, r.inputs, r.outputs, r.error, r.extra, r.tags, r.events, r.serialized,
              r.reference_example_id, r.attachments, r.source
         FROM runs r JOIN projects p ON p.id = r.project_id
        WHERE r.workspace_id = $1 AND r.id = $2`,
      [workspaceId, id],
    );
    return rows[0] ?? null;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
