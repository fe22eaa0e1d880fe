import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PENDING_RETENTION_DAYS } from './runs.constants';

/** A feedback as stored, in the LangSmith wire shape (snake_case, ISO times). */
export interface FeedbackRow {
  id: string;
  workspace_id: string;
  project_id: string | null;
  run_id: string;
  trace_id: string | null;
  session_id: string | null;
  key: string;
  score: number | null;
  value: unknown;
  comment: string | null;
  correction: unknown;
  feedback_source: Record<string, unknown> | null;
  extra: Record<string, unknown> | null;
  created_at: string;
  modified_at: string;
}

export interface NewFeedback {
  id: string;
  runId: string;
  traceId: string | null;
  projectId: string | null;
  sessionId: string | null;
  key: string;
  score: number | null;
  value: unknown;
  comment: string | null;
  correction: unknown;
  feedbackSource: Record<string, unknown> | null;
  extra: Record<string, unknown> | null;
}

export interface FeedbackFilter {
  runIds?: string[];
  keys?: string[];
  sources?: string[];
}

const PLAIN = [
  'id',
  'workspace_id',
  'project_id',
  'run_id',
  'trace_id',
  'session_id',
  'key',
  'score',
  'value',
  'comment',
];
const MORE = ['correction', 'feedback_source', 'extra'];
const time = (column: string, as: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${as}`;
/** The selected columns of a feedback row, qualified by `alias` when given. */
const columns = (alias = '') =>
  [
    ...[...PLAIN, ...MORE].map((c) => `${alias}${c}`),
    time(`${alias}created_at`, 'created_at'),
    time(`${alias}modified_at`, 'modified_at'),
  ].join(', ');
const COLUMNS = columns();

/** Feedback rows; every query takes the workspace first. */
@Injectable()
export class RunFeedbackRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts new feedback (a re-sent id is left as it is) and returns every row with these ids, any workspace. */
  async insert(workspaceId: string, pinnedProjectId: string | null, rows: NewFeedback[]): Promise<FeedbackRow[]> {
    return this.dataSource.query(
      `WITH expired AS (
         DELETE FROM run_feedback
          WHERE workspace_id = $1 AND session_id IS NULL AND created_at < now() - make_interval(days => $4)
       ),
       inserted AS (
         INSERT INTO run_feedback (id, workspace_id, project_id, run_id, trace_id, session_id, pinned_project_id, key,
                                   score, value, comment, correction, feedback_source, extra)
         SELECT f.id, $1, f.project_id, f.run_id, f.trace_id, f.session_id, $2, f.key, f.score, f.value, f.comment,
                f.correction, f.feedback_source, f.extra
           FROM json_to_recordset($3::json) AS f(id uuid, project_id uuid, run_id uuid, trace_id uuid, session_id uuid,
                                                key text, score float8, value jsonb, comment text, correction jsonb,
                                                feedback_source jsonb, extra jsonb)
         ON CONFLICT (id) DO NOTHING
         RETURNING ${COLUMNS}
       )
       SELECT * FROM inserted
       UNION ALL
       SELECT ${COLUMNS} FROM run_feedback WHERE id = ANY($5::uuid[]) AND id NOT IN (SELECT id FROM inserted)`,
      [
        workspaceId,
        pinnedProjectId,
        JSON.stringify(
          rows.map((r) => ({
            id: r.id,
            project_id: r.projectId,
            run_id: r.runId,
            trace_id: r.traceId,
            session_id: r.sessionId,
            key: r.key,
            score: r.score,
            value: r.value ?? null,
            comment: r.comment,
            correction: r.correction ?? null,
            feedback_source: r.feedbackSource,
            extra: r.extra,
          })),
        ),
        PENDING_RETENTION_DAYS,
        rows.map((r) => r.id),
      ],
    );
  }

  /** Attaches feedback that waited for these runs to the runs' sessions; returns what it attached. */
  attachPending(manager: EntityManager, workspaceId: string, runIds: string[]): Promise<FeedbackRow[]> {
    return manager.query(
      `WITH attached AS (
       UPDATE run_feedback f
          SET session_id = r.session_id, project_id = r.project_id, trace_id = COALESCE(f.trace_id, r.trace_id),
              modified_at = now()
         FROM runs r
        WHERE f.workspace_id = $1 AND f.session_id IS NULL AND f.run_id = ANY($2::uuid[])
          AND r.id = f.run_id AND r.workspace_id = $1
          AND (f.pinned_project_id IS NULL OR f.pinned_project_id = r.project_id)
       RETURNING ${columns('f.')}
       )
       SELECT * FROM attached`,
      [workspaceId, runIds],
    );
  }

  async get(workspaceId: string, id: string): Promise<FeedbackRow | null> {
    const rows: FeedbackRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM run_feedback WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    return rows[0] ?? null;
  }

  list(workspaceId: string, filter: FeedbackFilter, limit: number, offset: number): Promise<FeedbackRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM run_feedback
        WHERE workspace_id = $1
          AND ($2::uuid[] IS NULL OR run_id = ANY($2::uuid[]))
          AND ($3::text[] IS NULL OR key = ANY($3::text[]))
          AND ($4::text[] IS NULL OR feedback_source ->> 'type' = ANY($4::text[]))
        ORDER BY created_at, id
        LIMIT $5 OFFSET $6`,
      [
        workspaceId,
        filter.runIds?.length ? filter.runIds : null,
        filter.keys?.length ? filter.keys : null,
        filter.sources?.length ? filter.sources : null,
        limit,
        offset,
      ],
    );
  }
}
