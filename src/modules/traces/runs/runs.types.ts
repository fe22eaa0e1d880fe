/**
 * The shape every run ingestion path converges on (LangSmith runs, OTLP spans). A run is a
 * LangSmith-style span; runs of one trace belong to one session, and creating or ending a run
 * also appends events to that session's log.
 *
 * The service: `RunsIngestService` (`src/modules/traces/runs/runs-ingest.service.ts`), exported
 * by `RunsModule` (`src/modules/traces/runs/runs.module.ts`; import that module to inject it):
 *
 *   ingest(principal, batch: RunBatchInput, source: RunSource, extraEvents?: RunExtraEvents)
 *     → Promise<RunIngestResult>
 *
 * - Each run is validated on its own: a bad run is listed in `errors` (with its id and the
 *   reason) and never costs the valid runs of the same batch. Nothing is dropped silently.
 * - `post` creates a run, or merges into the stored one (a re-sent post is a success, never a
 *   conflict); `patch` updates a stored run; a post and a patch of the same id in one batch are
 *   merged. A patch for a run not stored yet is kept and applied when its post arrives; it is
 *   listed in `errors` with a reason saying so (code `pending`).
 * - Status: end_time + error → failed; end_time → completed; else running.
 * - The session of a run is its trace: session id = trace_id, created on first use in the
 *   project the run names (`session_name`, else the key's pinned project, else `default`),
 *   agent name = the root run's name (the run without parent). Every run appends `run.start`
 *   (key `run:<id>:start`) and, once ended, `run.end` (`run:<id>:end`) to that session; the
 *   root run's end also appends `session.end`, which sets the session status.
 * - `trace_id` may be left out for a root run (it is then the run id) or when the parent is in
 *   the same batch or already stored. `dotted_order` is optional; when present it must end with
 *   the run's own segment. Times: ISO-8601 (up to microseconds; no zone means UTC) or epoch ms.
 * - It never throws for a bad run (only for infrastructure failures, e.g. the database is down):
 *   each refusal is an entry of `errors` with a `code`, so a caller maps the outcome to its own
 *   protocol (the LangSmith routes answer 403 when every run was `forbidden`, 422 when nothing
 *   was accepted; OTLP reports `partial_success`).
 */
export const RUN_TYPES = ['llm', 'chain', 'tool', 'retriever', 'embedding', 'prompt', 'parser'] as const;
export type RunType = (typeof RUN_TYPES)[number];
export type RunStatus = 'running' | 'completed' | 'failed';
export type RunSource = 'langsmith' | 'otlp';

/** A run create or update as the LangSmith SDK sends it (snake_case, times ISO or epoch ms). */
export interface RunInput {
  id: string;
  trace_id?: string;
  parent_run_id?: string | null;
  dotted_order?: string;
  name?: string;
  run_type?: string;
  start_time?: string | number;
  end_time?: string | number | null;
  inputs?: Record<string, unknown> | null;
  outputs?: Record<string, unknown> | null;
  error?: string | null;
  extra?: Record<string, unknown> | null;
  tags?: string[] | null;
  events?: unknown[] | null;
  serialized?: Record<string, unknown> | null;
  reference_example_id?: string | null;
  /** LangSmith project name; resolved to a project of the key's workspace ("default" when absent). */
  session_name?: string | null;
  /** LangSmith project id (a project of the key's workspace); wins over `session_name`. */
  session_id?: string | null;
}

/** What the OTLP mapping adds to a run: typed events for the session log. */
export interface RunEventInput {
  type: string;
  payload: Record<string, unknown>;
  /** Unique for the run, e.g. `otel:<span>:event:3`. */
  key: string;
  /** When it happened (ISO-8601); the run's start time when absent. Orders events within a batch. */
  timestamp?: string;
}

/**
 * Typed events to append with the runs of a batch, by run id (the 4th argument of `ingest`).
 * They are appended to the run's session after its `run.start` and before its `run.end`, with
 * their own idempotency keys (a re-sent batch stores them once), and are checked against the
 * schema of their type: a refused event is listed in `errors` under its run, the run is kept.
 * Events of a patch that waits for its run are kept with it and appended when it is applied.
 */
export type RunExtraEvents = Map<string, RunEventInput[]>;

export interface RunBatchInput {
  post: RunInput[];
  patch: RunInput[];
}

/**
 * - `invalid`: the run (or one of its events) failed validation; the reason names the field.
 * - `forbidden`: the key is pinned to another project than the one the run names or is in.
 * - `conflict`: a post's id is used by a run of another workspace or trace, or its trace id by a
 *   session of another workspace.
 * - `not_found`: a patch (or feedback) for a run id that exists, but not in this workspace.
 * - `pending`: a patch for a run not stored yet, kept and applied when the run arrives (not lost).
 */
export type RunIngestErrorCode = 'invalid' | 'forbidden' | 'conflict' | 'not_found' | 'pending';

export interface RunIngestError {
  run_id: string | null;
  reason: string;
  code: RunIngestErrorCode;
}

/**
 * Agent Spy's batch answer: `{success, created_count, updated_count, errors}`. `created_count`
 * counts posts that created a run; `updated_count` patches applied and posts merged into a run
 * already stored (re-sends). `success` is true when `errors` is empty.
 */
export interface RunIngestResult {
  success: boolean;
  created_count: number;
  updated_count: number;
  errors: RunIngestError[];
}
