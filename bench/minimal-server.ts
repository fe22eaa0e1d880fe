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
 * MAX_EVENTS_PER_FLUSH (default 5000).
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Client, Pool } from 'pg';

interface IncomingEvent {
  seq: number;
  idempotency_key: string;
  type: string;
  timestamp?: string | null;
  payload: Record<string, unknown>;
}

interface Pending {
  sessionId: string;
  events: IncomingEvent[];
  resolve: (inserted: Set<string>) => void;
  reject: (error: unknown) => void;
}

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const port = Number(process.env.PORT ?? 3999);
const flushers = Math.max(1, Number(process.env.FLUSHERS ?? 1));
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
  CREATE TABLE IF NOT EXISTS events (
    session_id uuid NOT NULL,
    seq bigint NOT NULL,
    idempotency_key text NOT NULL,
    type text NOT NULL,
    client_ts timestamptz,
    received_at timestamptz NOT NULL DEFAULT now(),
    payload jsonb NOT NULL,
    PRIMARY KEY (session_id, seq),
    UNIQUE (session_id, idempotency_key)
  );`;

const INSERT = `
  INSERT INTO events (session_id, seq, idempotency_key, type, client_ts, payload)
  SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[])
  ON CONFLICT DO NOTHING
  RETURNING session_id, idempotency_key`;

/** Group commit: a queue, and up to FLUSHERS transactions each taking whatever is waiting. */
class GroupCommitWriter {
  private queue: Pending[] = [];
  private idle: Client[];

  constructor(clients: Client[]) {
    this.idle = [...clients];
  }

  append(sessionId: string, events: IncomingEvent[]): Promise<Set<string>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ sessionId, events, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    while (this.queue.length > 0 && this.idle.length > 0) {
      const client = this.idle.pop()!;
      void this.flush(client, this.take());
    }
  }

  private take(): Pending[] {
    let events = 0;
    let taken = 0;
    while (
      taken < this.queue.length &&
      (taken === 0 || events + this.queue[taken].events.length <= maxEventsPerFlush)
    ) {
      events += this.queue[taken].events.length;
      taken++;
    }
    return this.queue.splice(0, taken);
  }

  private async flush(client: Client, batch: Pending[]): Promise<void> {
    const sessionIds: string[] = [];
    const seqs: number[] = [];
    const keys: string[] = [];
    const types: string[] = [];
    const timestamps: (string | null)[] = [];
    const payloads: string[] = [];
    for (const pending of batch) {
      for (const e of pending.events) {
        sessionIds.push(pending.sessionId);
        seqs.push(e.seq);
        keys.push(e.idempotency_key);
        types.push(e.type);
        timestamps.push(e.timestamp ?? null);
        payloads.push(JSON.stringify(e.payload));
      }
    }
    try {
      await client.query('BEGIN');
      const result = await client.query<{ session_id: string; idempotency_key: string }>(INSERT, [
        sessionIds,
        seqs,
        keys,
        types,
        timestamps,
        payloads,
      ]);
      await client.query('COMMIT');
      const inserted = new Set(result.rows.map((r) => `${r.session_id}|${r.idempotency_key}`));
      for (const pending of batch) pending.resolve(inserted);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      for (const pending of batch) pending.reject(error);
    } finally {
      this.idle.push(client);
      this.kick();
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
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
  const pool = new Pool({ connectionString: databaseUrl, max: 4, application_name: 'bench-minimal' });
  await pool.query(SCHEMA);
  const clients = await Promise.all(
    Array.from({ length: flushers }, async () => {
      const client = new Client({ connectionString: databaseUrl, application_name: 'bench-minimal-writer' });
      await client.connect();
      return client;
    }),
  );
  const writer = new GroupCommitWriter(clients);

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
    const inserted = await writer.append(sessionId, events);
    let duplicates = 0;
    const accepted = events.map((e, index) => {
      const duplicate = !inserted.has(`${sessionId}|${e.idempotency_key}`);
      if (duplicate) duplicates++;
      return { index, seq: e.seq, duplicate };
    });
    send(res, 200, { accepted: events.length, duplicates, rejected: [], events: accepted });
  }

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    let handling: Promise<void>;
    if (req.method === 'GET' && url === '/health/live') {
      handling = Promise.resolve(send(res, 200, { status: 'ok' }));
    } else if (req.method === 'POST' && url === '/api/traces') {
      handling = createTrace(req, res);
    } else {
      const match = req.method === 'POST' ? EVENTS_PATH.exec(url) : null;
      handling = match ? appendEvents(match[1], req, res) : Promise.resolve(send(res, 404, { status: 404 }));
    }
    handling.catch((error: unknown) => {
      if (!res.headersSent) send(res, error instanceof SyntaxError ? 400 : 500, { status: 500, title: String(error) });
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1', () =>
    process.stdout.write(`minimal server listening on ${port} (flushers=${flushers})\n`),
  );

  const stop = () => {
    server.close();
    server.closeAllConnections();
    void Promise.all(clients.map((c) => c.end()))
      .then(() => pool.end())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
