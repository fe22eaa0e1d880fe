/**
 * The shape every run ingestion path converges on (LangSmith runs, OTLP spans). A run is a
 * LangSmith-style span; runs of one trace belong to one session, and creating or ending a run
 * also appends events to that session's log.
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
}

/** What the OTLP mapping adds to a run: typed events for the session log. */
export interface RunEventInput {
  type: string;
  payload: Record<string, unknown>;
  /** Unique for the run, e.g. `otel:<span>:event:3`. */
  key: string;
}

export interface RunBatchInput {
  post: RunInput[];
  patch: RunInput[];
}

export interface RunIngestError {
  run_id: string | null;
  reason: string;
}

/** Agent Spy's batch answer: `{success, created_count, updated_count, errors}`. */
export interface RunIngestResult {
  success: boolean;
  created_count: number;
  updated_count: number;
  errors: RunIngestError[];
}
