/**
 * The yardstick for `npm run bench:ingest`: the fastest ingest server we could write with
 * node:http and pg alone, with the part of Flightdeck's contract that costs something on the
 * hot path, so the comparison is fair:
 *
 * - `POST /api/traces` `{agent:{name,version}}` → 201 `{id, ...}` (one INSERT).
 * - `POST /api/traces/{id}/events` `{events:[{seq, idempotency_key, type, timestamp, payload}]}`
 *   → 200 `{accepted, duplicates, rejected, events}`: the body is read and JSON-parsed, each event
 *   is checked for shape, and the batch joins a group commit: requests that arrive while the
 *   transactions in flight (FLUSHERS of them, each on its own connection) commit are written
 *   together by the next one, as ONE set-based INSERT (unnest) and one COMMIT. Every caller is
 *   answered only after the commit that holds its events.
 * - Table: events ((session_id, seq) primary key, (session_id, idempotency_key) unique, jsonb
 *   payload); an idempotent retry is reported as a duplicate (ON CONFLICT DO NOTHING).
 *
 * What it leaves out (and Flightdeck pays for): API-key lookup, the session read and row lock,
 * the monotonic-seq and content-hash checks, payload schema validation, workspace stream
 * positions, the extra indexes and foreign keys, Express/Nest middleware, logging and metrics.
 *
 * Environment: DATABASE_URL (required), PORT (default 3999), FLUSHERS (concurrent group-commit
 * transactions, default 1; `npm run bench:ingest` uses 2, its fastest setting on 2 cores),
 * MAX_EVENTS_PER_FLUSH (default 5000). The group commit and the node:http plumbing are shared with
 * bench/runs-minimal-server.ts (bench/harness/group-commit.ts, bench/harness/http-server.ts).
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from 'pg';
import { GroupCommitWriter } from './harness/group-commit';
import { connect, EVENTS_TABLE, minimalServerEnv, readBody, send, serve } from './harness/http-server';

interface IncomingEvent {
  seq: number;
  idempotency_key: string;
  type: string;
  timestamp?: string | null;
  payload: Record<string, unknown>;
}

interface Append {
  sessionId: string;
  events: IncomingEvent[];
}

const env = minimalServerEnv(3999);
const maxEventsPerFlush = Number(process.env.MAX_EVENTS_PER_FLUSH ?? 5000);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENTS_PATH = /^\/api\/traces\/([^/]+)\/events$/;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    agent_name text NOT NULL,
    agent_version text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  ${EVENTS_TABLE}`;

const INSERT = `
  INSERT INTO events (session_id, seq, idempotency_key, type, client_ts, payload)
  SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[])
  ON CONFLICT DO NOTHING
  RETURNING session_id, idempotency_key`;

/** The flush of the group commit: every waiting batch as one set-based INSERT; the set of what it inserted. */
async function writeEvents(client: Client, appends: Append[]): Promise<Set<string>[]> {
  const sessionIds: string[] = [];
  const seqs: number[] = [];
  const keys: string[] = [];
  const types: string[] = [];
  const timestamps: (string | null)[] = [];
  const payloads: string[] = [];
  for (const append of appends) {
    for (const e of append.events) {
      sessionIds.push(append.sessionId);
      seqs.push(e.seq);
      keys.push(e.idempotency_key);
      types.push(e.type);
      timestamps.push(e.timestamp ?? null);
      payloads.push(JSON.stringify(e.payload));
    }
  }
  const result = await client.query<{ session_id: string; idempotency_key: string }>(INSERT, [
    sessionIds,
    seqs,
    keys,
    types,
    timestamps,
    payloads,
  ]);
  const inserted = new Set(result.rows.map((r) => `${r.session_id}|${r.idempotency_key}`));
  return appends.map(() => inserted);
}

function isEvent(e: unknown): e is IncomingEvent {
  if (!e || typeof e !== 'object') return false;
  const event = e as Record<string, unknown>;
  return (
    Number.isSafeInteger(event.seq) &&
    (event.seq as number) >= 1 &&
    typeof event.idempotency_key === 'string' &&
    typeof event.type === 'string' &&
    (event.timestamp === undefined || event.timestamp === null || typeof event.timestamp === 'string') &&
    !!event.payload &&
    typeof event.payload === 'object' &&
    !Array.isArray(event.payload)
  );
}

async function main(): Promise<void> {
  const connections = await connect(env, SCHEMA, 'bench-minimal', 4);
  const { pool } = connections;
  const writer = new GroupCommitWriter<Append, Set<string>>({
    clients: connections.writers,
    maxItemsPerFlush: maxEventsPerFlush,
    size: (append) => append.events.length,
    write: writeEvents,
  });

  async function createTrace(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = JSON.parse((await readBody(req)) || '{}') as { agent?: { name?: string; version?: string } };
    const { rows } = await pool.query<{ id: string; created_at: Date }>(
      'INSERT INTO sessions (agent_name, agent_version) VALUES ($1, $2) RETURNING id, created_at',
      [body.agent?.name ?? 'agent', body.agent?.version ?? '0'],
    );
    send(res, 201, { id: rows[0].id, status: 'running', created_at: rows[0].created_at.toISOString() });
  }

  async function appendEvents(sessionId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = JSON.parse(await readBody(req)) as { events?: unknown };
    const events = body.events;
    if (!UUID.test(sessionId) || !Array.isArray(events) || events.length === 0 || !events.every(isEvent)) {
      return send(res, 422, { status: 422, title: 'invalid batch' });
    }
    const inserted = await writer.append({ sessionId, events });
    let duplicates = 0;
    const accepted = events.map((e, index) => {
      const duplicate = !inserted.has(`${sessionId}|${e.idempotency_key}`);
      if (duplicate) duplicates++;
      return { index, seq: e.seq, duplicate };
    });
    send(res, 200, { accepted: events.length, duplicates, rejected: [], events: accepted });
  }

  serve(
    env,
    connections,
    (req, res, url) => {
      if (req.method !== 'POST') return null;
      if (url === '/api/traces') return createTrace(req, res);
      const match = EVENTS_PATH.exec(url);
      return match ? appendEvents(match[1], req, res) : null;
    },
    `minimal server listening on ${env.port} (flushers=${env.flushers})`,
  );
}

void main();
