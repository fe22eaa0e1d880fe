/**
 * The node:http plumbing of the minimal servers (bench/minimal-server.ts,
 * bench/runs-minimal-server.ts), kept as thin as possible since they are the yardstick:
 * environment, database connections, JSON bodies and answers, routing errors, the liveness
 * probe the benchmark waits for, and a clean stop on SIGTERM. Transpiled to plain JS with them
 * (app-build.ts `transpile`).
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Client, Pool } from 'pg';

/**
 * Flightdeck's events log as both minimal servers write it: the (session_id, seq) order and the
 * idempotency key are what its contract guarantees, the rest of Flightdeck's indexes is left out.
 */
export const EVENTS_TABLE = `CREATE TABLE IF NOT EXISTS events (
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

export interface MinimalServerEnv {
  databaseUrl: string;
  port: number;
  /** Concurrent group-commit transactions (FLUSHERS, default 1). */
  flushers: number;
}

export function minimalServerEnv(defaultPort: number): MinimalServerEnv {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is required');
  return {
    databaseUrl,
    port: Number(process.env.PORT ?? defaultPort),
    flushers: Math.max(1, Number(process.env.FLUSHERS ?? 1)),
  };
}

/**
 * A pool for the rare requests (and the schema), and one dedicated connection per group-commit
 * writer: the writers must never wait for a pooled connection.
 */
export async function connect(
  env: MinimalServerEnv,
  schema: string,
  applicationName: string,
  poolSize: number,
): Promise<{ pool: Pool; writers: Client[] }> {
  const pool = new Pool({ connectionString: env.databaseUrl, max: poolSize, application_name: applicationName });
  await pool.query(schema);
  const writers = await Promise.all(
    Array.from({ length: env.flushers }, async () => {
      const client = new Client({ connectionString: env.databaseUrl, application_name: `${applicationName}-writer` });
      await client.connect();
      return client;
    }),
  );
  return { pool, writers };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A request's handler, or null when no route matches (404). */
export type Router = (req: IncomingMessage, res: ServerResponse, url: string) => Promise<void> | null;

/**
 * Serves `route` plus GET /health/live on 127.0.0.1; a malformed JSON body is a 400, any other
 * throw a 500. On SIGTERM/SIGINT it closes the sockets and the database connections and exits.
 */
export function serve(
  env: MinimalServerEnv,
  connections: { pool: Pool; writers: Client[] },
  route: Router,
  banner: string,
): void {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const handling =
      req.method === 'GET' && url === '/health/live'
        ? Promise.resolve(send(res, 200, { status: 'ok' }))
        : (route(req, res, url) ?? Promise.resolve(send(res, 404, { status: 404 })));
    handling.catch((error: unknown) => {
      if (!res.headersSent) send(res, error instanceof SyntaxError ? 400 : 500, { status: 500, title: String(error) });
    });
  });
  // Longer than the drivers' keep-alive: a connection is never closed under them mid-phase.
  server.keepAliveTimeout = 65_000;
  server.listen(env.port, '127.0.0.1', () => process.stdout.write(`${banner}\n`));

  const stop = () => {
    server.close();
    server.closeAllConnections();
    void Promise.all(connections.writers.map((c) => c.end()))
      .then(() => connections.pool.end())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
