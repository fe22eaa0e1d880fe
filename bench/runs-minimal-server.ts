/**
 * The yardstick for `npm run bench:runs`: the fastest `POST /api/v1/runs/batch` we could write
 * with node:http and pg alone, with the part of Flightdeck's contract that costs something on the
 * hot path, so the comparison is fair (same shape as bench/minimal-server.ts for events). The
 * contract's writes are: the run, the session of its trace, and the run's start and end in that
 * session's log (DESIGN.md: "creating and ending a run also appends events to that session's log").
 *
 * - `POST /api/v1/runs/batch` `{post: [...], patch: [...]}` → 200 `{success, created_count,
 *   updated_count, errors}`: the body is read and JSON-parsed, each run is checked for shape (uuid
 *   id, name, run_type, start time), and the batch joins a group commit: requests that arrive while
 *   a transaction commits are written together by the next one, as ONE statement and one COMMIT.
 *   The statement (`json_to_recordset`, as Flightdeck reads runs) inserts the sessions of new
 *   traces, the runs (status derived from end_time/error), and a `run.start` and a `run.end` event
 *   per run, their JSON payloads built by PostgreSQL (run id, parent, trace, name, type, times,
 *   inputs / outputs / error), numbered per session. Every caller is answered only after the
 *   commit that holds its runs. A re-sent run is a duplicate (ON CONFLICT DO NOTHING).
 * - Tables: runs (Flightdeck's columns, primary key only), sessions (id, agent name), events
 *   ((session_id, seq) primary key, (session_id, idempotency_key) unique, jsonb payload).
 *
 * What it leaves out (and Flightdeck pays for): API-key lookup, project resolution, validation of
 * every field and time, sessions' counters, row locks and high-water marks, event schema checks,
 * workspace stream positions for the live stream, duplicate and conflict detection with reasons,
 * patches kept for later, the dashboard indexes, Express/Nest middleware, logging and metrics.
 * Numbering events per flush only is a simplification that holds for this load (each trace is
 * sent whole in one request).
 *
 * Environment: DATABASE_URL (required), PORT (default 3998), FLUSHERS (concurrent group-commit
 * transactions, default 1), MAX_RUNS_PER_FLUSH (default 5000), MINIMAL_EVENTS=0 to write the runs
 * alone (no sessions, no events: a lower bound of the work, for comparison). The group commit and
 * the node:http plumbing are shared with bench/minimal-server.ts (bench/harness/).
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from 'pg';
import { GroupCommitWriter } from './harness/group-commit';
import { connect, EVENTS_TABLE, minimalServerEnv, readBody, send, serve } from './harness/http-server';

interface IncomingRun {
  id: string;
  trace_id?: string;
  parent_run_id?: string | null;
  name: string;
  run_type: string;
  start_time: string | number;
  end_time?: string | number | null;
  error?: string | null;
  [field: string]: unknown;
}

const env = minimalServerEnv(3998);
const maxRunsPerFlush = Number(process.env.MAX_RUNS_PER_FLUSH ?? 5000);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const toTime = (value: unknown) => (typeof value === 'number' ? new Date(value).toISOString() : value);
const withEvents = process.env.MINIMAL_EVENTS !== '0';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS runs (
    id uuid PRIMARY KEY,
    trace_id uuid NOT NULL,
    parent_run_id uuid,
    dotted_order text,
    name text NOT NULL,
    run_type text NOT NULL,
    status text NOT NULL,
    start_time timestamptz NOT NULL,
    end_time timestamptz,
    inputs jsonb,
    outputs jsonb,
    error text,
    extra jsonb,
    tags text[],
    session_name text,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS sessions (
    id uuid PRIMARY KEY,
    agent_name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  ${EVENTS_TABLE}`;

const INPUT = `
  input AS (
    SELECT r.*, coalesce(r.trace_id, r.id) AS trace,
           CASE WHEN r.end_time IS NULL THEN 'running' WHEN r.error IS NOT NULL THEN 'failed' ELSE 'completed' END AS status
      FROM json_to_recordset($1::json) AS r(id uuid, trace_id uuid, parent_run_id uuid, dotted_order text, name text,
           run_type text, start_time timestamptz, end_time timestamptz, inputs jsonb, outputs jsonb, error text,
           extra jsonb, tags text[], session_name text)
  ),
  inserted AS (
    INSERT INTO runs (id, trace_id, parent_run_id, dotted_order, name, run_type, status, start_time, end_time, inputs,
                      outputs, error, extra, tags, session_name)
    SELECT id, trace, parent_run_id, dotted_order, name, run_type, status, start_time, end_time, inputs, outputs, error,
           extra, tags, session_name
      FROM input
    ON CONFLICT DO NOTHING
    RETURNING id
  )`;

const INSERT = withEvents
  ? `WITH ${INPUT},
  new_sessions AS (
    INSERT INTO sessions (id, agent_name)
    SELECT DISTINCT ON (trace) trace, name FROM input ORDER BY trace, (parent_run_id IS NULL) DESC, start_time
    ON CONFLICT DO NOTHING
  ),
  run_events AS (
    SELECT trace, 'run:' || id || ':start' AS k, 'run.start' AS type, start_time AS ts,
           jsonb_build_object('run_id', id, 'parent_run_id', parent_run_id, 'trace_id', trace, 'name', name,
                              'run_type', run_type, 'start_time', start_time, 'inputs', inputs) AS payload
      FROM input
    UNION ALL
    SELECT trace, 'run:' || id || ':end', 'run.end', end_time,
           jsonb_build_object('run_id', id, 'run_type', run_type, 'name', name, 'status', status, 'end_time', end_time,
                              'duration_ms', extract(epoch FROM end_time - start_time) * 1000, 'outputs', outputs,
                              'error', error)
      FROM input WHERE end_time IS NOT NULL
  ),
  new_events AS (
    INSERT INTO events (session_id, seq, idempotency_key, type, client_ts, payload)
    SELECT trace, row_number() OVER (PARTITION BY trace ORDER BY ts, type DESC), k, type, ts, payload FROM run_events
    ON CONFLICT DO NOTHING
  )
  SELECT id FROM inserted`
  : `WITH ${INPUT} SELECT id FROM inserted`;

/** The flush of the group commit: every waiting batch as ONE statement; per batch, how many runs were new. */
async function writeRuns(client: Client, batches: IncomingRun[][]): Promise<number[]> {
  const rows = batches.flatMap((runs) =>
    runs.map((r) => ({ ...r, start_time: toTime(r.start_time), end_time: toTime(r.end_time) })),
  );
  const result = await client.query<{ id: string }>(INSERT, [JSON.stringify(rows)]);
  const inserted = new Set(result.rows.map((r) => r.id));
  return batches.map((runs) => runs.filter((r) => inserted.has(r.id.toLowerCase())).length);
}

function isRun(r: unknown): r is IncomingRun {
  if (!r || typeof r !== 'object') return false;
  const run = r as Record<string, unknown>;
  return (
    typeof run.id === 'string' &&
    UUID.test(run.id) &&
    typeof run.name === 'string' &&
    typeof run.run_type === 'string' &&
    (typeof run.start_time === 'string' || typeof run.start_time === 'number')
  );
}

async function main(): Promise<void> {
  const connections = await connect(env, SCHEMA, 'bench-runs-minimal', 2);
  const writer = new GroupCommitWriter<IncomingRun[], number>({
    clients: connections.writers,
    maxItemsPerFlush: maxRunsPerFlush,
    size: (runs) => runs.length,
    write: writeRuns,
  });

  async function batch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = JSON.parse(await readBody(req)) as { post?: unknown[]; patch?: unknown[] };
    const post = body.post ?? [];
    if (!Array.isArray(post) || !post.every(isRun)) return send(res, 422, { status: 422, title: 'invalid batch' });
    const created = post.length > 0 ? await writer.append(post) : 0;
    send(res, 200, { success: true, created_count: created, updated_count: post.length - created, errors: [] });
  }

  serve(
    env,
    connections,
    (req, res, url) => (req.method === 'POST' && url === '/api/v1/runs/batch' ? batch(req, res) : null),
    `runs minimal server listening on ${env.port} (flushers=${env.flushers}, events=${withEvents})`,
  );
}

void main();
