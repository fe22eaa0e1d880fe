/**
 * `npm run bench:examples`: builds training data from one very long session and reads it back,
 * watching the memory of the process (the app runs in it, processors in-process, no Redis).
 *
 * 1. Re-creates the database `flightdeck_bench_examples` on the local PostgreSQL and starts the
 *    application on a loopback port (migrations run at start), object storage in a temp dir.
 * 2. Inserts a session of BENCH_EXAMPLE_EVENTS (100,000) events straight into the log with one
 *    SQL statement: a system prompt and a task, then turns of model answer with a tool call,
 *    the agent's tool.call, its result (~250 bytes of output) and a follow-up user message.
 * 3. For each split (whole_session, then per_assistant_turn with a window of
 *    BENCH_EXAMPLE_WINDOW messages): POST /v1/examples, polls until ready, and reports the build
 *    time, the JSONL size and the peak RSS above the baseline while it built.
 * 4. Streams GET /v1/examples/{id}/messages (identity, then gzip) over loopback, discarding the
 *    bytes as they come, and reports throughput and the peak RSS while it streamed.
 *
 * Environment: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432), BENCH_EXAMPLE_EVENTS
 * (100000), BENCH_EXAMPLE_WINDOW (16), BENCH_RSS_LIMIT_MB (a failing exit above this growth; 256).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { overrideEnvironment } from 'src/config/configuration';
import type { ExampleResponseDto } from 'src/modules/examples/dto/example.dto';

const PG_URL = (process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const DB_NAME = 'flightdeck_bench_examples';
const EVENTS = Number(process.env.BENCH_EXAMPLE_EVENTS ?? 100_000);
const WINDOW = Number(process.env.BENCH_EXAMPLE_WINDOW ?? 16);
const RSS_LIMIT_MB = Number(process.env.BENCH_RSS_LIMIT_MB ?? 256);
const mb = (bytes: number) => bytes / 2 ** 20;
const t0 = Date.now();
const log = (line: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);

/** Peak RSS of this process while `work` runs, sampled every 10 ms, with a GC first for a steady baseline. */
async function measured<T>(
  work: () => Promise<T>,
): Promise<{ result: T; seconds: number; baseMb: number; peakMb: number }> {
  (global as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const started = process.hrtime.bigint();
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9, baseMb: mb(base), peakMb: mb(peak) };
  } finally {
    clearInterval(timer);
  }
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: `${PG_URL}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The long session, inserted in one statement: turns of answer+call, tool.call, result, user follow-up. */
async function insertSession(client: Client, workspaceId: string, projectId: string): Promise<string> {
  const sessionId = randomUUID();
  await client.query(
    `INSERT INTO sessions (id, workspace_id, project_id, source, status, agent_name, last_seq, event_count, started_at)
     VALUES ($1, $2, $3, 'sdk', 'completed', 'bench-agent', $4::bigint, $4::int, now())`,
    [sessionId, workspaceId, projectId, EVENTS],
  );
  await client.query(
    `INSERT INTO events (session_id, seq, sub_seq, workspace_id, project_id, stream_seq, idempotency_key, type, origin, payload)
     SELECT $1, n, 0, $2, $3, n, 'bench:' || n,
            CASE WHEN n = 1 THEN 'session.start' WHEN n = 2 THEN 'message'
                 ELSE (ARRAY['llm.result', 'tool.call', 'tool.result', 'message'])[((n - 3) % 4) + 1] END,
            'agent',
            CASE WHEN n = 1 THEN jsonb_build_object('input', 'Research the incident and write a report',
                                   'metadata', jsonb_build_object('system_prompt', 'You are a careful research agent.'))
                 WHEN n = 2 THEN jsonb_build_object('role', 'user', 'content', 'Start with the logs of service A.')
                 WHEN (n - 3) % 4 = 0 THEN jsonb_build_object('call_id', 'l' || n, 'message', jsonb_build_object(
                        'role', 'assistant', 'content', 'Step ' || ((n - 3) / 4) || ': searching the next source.',
                        'tool_calls', jsonb_build_array(jsonb_build_object('id', 'c' || ((n - 3) / 4), 'type', 'function',
                          'function', jsonb_build_object('name', 'search', 'arguments', '{"q":"query ' || ((n - 3) / 4) || '"}')))))
                 WHEN (n - 3) % 4 = 1 THEN jsonb_build_object('call_id', 'c' || ((n - 3) / 4), 'tool', 'search',
                        'arguments', jsonb_build_object('q', 'query ' || ((n - 3) / 4)))
                 WHEN (n - 3) % 4 = 2 THEN jsonb_build_object('call_id', 'c' || ((n - 3) / 4), 'status', 'ok',
                        'output', jsonb_build_object('hits', ((n - 3) / 4) % 17, 'text', repeat('result text ', 20)))
                 ELSE jsonb_build_object('role', 'user', 'content', 'Good. Continue with source ' || ((n - 3) / 4 + 1) || '.')
            END
       FROM generate_series(1, $4::int) AS n`,
    [sessionId, workspaceId, projectId, EVENTS],
  );
  return sessionId;
}

interface Http {
  port: number;
  key: string;
}

function call(
  http: Http,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: ExampleResponseDto }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: http.port,
        path,
        method,
        headers: { 'X-API-Key': http.key, ...(payload ? { 'Content-Type': 'application/json' } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as ExampleResponseDto });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Streams the messages, keeping only a byte count and a hash: nothing is held by the client. */
function stream(http: Http, id: string, gzip: boolean): Promise<{ bytes: number; sha256: string; encoding: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: http.port,
        path: `/v1/examples/${id}/messages`,
        headers: { 'X-API-Key': http.key, ...(gzip ? { 'Accept-Encoding': 'gzip' } : {}) },
      },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`GET messages answered ${res.statusCode}`));
        const hash = createHash('sha256');
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          hash.update(c);
        });
        res.on('end', () =>
          resolve({
            bytes,
            sha256: hash.digest('hex'),
            encoding: String(res.headers['content-encoding'] ?? 'identity'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function waitReady(http: Http, id: string): Promise<ExampleResponseDto> {
  for (;;) {
    const res = await call(http, 'GET', `/v1/examples/${id}`);
    if (res.body.status === 'ready') return res.body;
    if (res.body.status === 'failed') throw new Error(`example failed: ${JSON.stringify(res.body.error)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-bench-examples-'));
  await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB_NAME}`);
  overrideEnvironment(
    {
      NODE_ENV: 'development',
      DATABASE_URL: `${PG_URL}/${DB_NAME}`,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '1000000',
      BOOTSTRAP_ADMIN_EMAIL: 'bench@flightdeck.local',
    },
    { force: true },
  );
  delete process.env.REDIS_URL;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NestFactory } = require('@nestjs/core') as typeof import('@nestjs/core');
  const { AppModule } = require('src/app.module') as typeof import('src/app.module');
  const { configureApp } = require('src/app.setup') as typeof import('src/app.setup');
  const factories = require('test/fixtures/factories') as typeof import('test/fixtures/factories');
  const { createSharedModel } = require('test/fixtures/examples') as typeof import('test/fixtures/examples');
  const { DataSource } = require('typeorm') as typeof import('typeorm');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const app = await NestFactory.create<import('@nestjs/platform-express').NestExpressApplication>(AppModule, {
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const client = new Client({ connectionString: `${PG_URL}/${DB_NAME}` });
  await client.connect();
  try {
    const ds = app.get(DataSource);
    const tenant = await factories.createTenant(ds);
    const model = await createSharedModel(ds, tenant.workspace.id);
    const http: Http = { port, key: tenant.key };

    const inserted = await measured(() => insertSession(client, tenant.workspace.id, tenant.project.id));
    const sessionId = inserted.result;
    log(`inserted a session of ${EVENTS} events in ${inserted.seconds.toFixed(1)} s`);

    const rows: string[] = [];
    let worst = 0;
    for (const options of [
      { split: 'whole_session' },
      { split: 'per_assistant_turn', max_messages_per_record: WINDOW },
    ]) {
      const built = await measured(async () => {
        const res = await call(http, 'POST', '/v1/examples', {
          session_id: sessionId,
          model_id: model.id,
          model_configuration: { temperature: 0.2 },
          options,
        });
        if (res.status !== 202)
          throw new Error(`POST /v1/examples answered ${res.status}: ${JSON.stringify(res.body)}`);
        return waitReady(http, res.body.id);
      });
      const example = built.result;
      const label = `${options.split}${options.max_messages_per_record ? ` (window ${WINDOW})` : ''}`;
      const growth = built.peakMb - built.baseMb;
      worst = Math.max(worst, growth);
      rows.push(
        `build ${label}: ${built.seconds.toFixed(1)} s, ${example.records_written} records, ${mb(example.size_bytes ?? 0).toFixed(1)} MB JSONL, ` +
          `RSS ${built.baseMb.toFixed(0)} -> peak ${built.peakMb.toFixed(0)} MB (+${growth.toFixed(0)} MB)`,
      );
      log(rows[rows.length - 1]);
      for (const gzip of [false, true]) {
        const streamed = await measured(() => stream(http, example.id, gzip));
        const { bytes, sha256, encoding } = streamed.result;
        if (!gzip && (bytes !== example.size_bytes || sha256 !== example.sha256))
          throw new Error('streamed bytes differ from the example');
        const sGrowth = streamed.peakMb - streamed.baseMb;
        worst = Math.max(worst, sGrowth);
        const jsonlMb = mb(example.size_bytes ?? 0);
        rows.push(
          `  GET messages (${encoding}): ${mb(bytes).toFixed(1)} MB on the wire for ${jsonlMb.toFixed(1)} MB of JSONL in ` +
            `${streamed.seconds.toFixed(2)} s (${(jsonlMb / streamed.seconds).toFixed(0)} MB/s of JSONL), ` +
            `RSS ${streamed.baseMb.toFixed(0)} -> peak ${streamed.peakMb.toFixed(0)} MB (+${sGrowth.toFixed(0)} MB)`,
        );
        log(rows[rows.length - 1]);
      }
    }
    process.stdout.write(
      `\nexamples benchmark, ${EVENTS} events (process RSS, app and client together)\n${rows.join('\n')}\n`,
    );
    if (worst > RSS_LIMIT_MB) {
      process.stdout.write(`FAIL: RSS grew ${worst.toFixed(0)} MB, above BENCH_RSS_LIMIT_MB=${RSS_LIMIT_MB}\n`);
      process.exitCode = 1;
    }
  } finally {
    await client.end();
    await app.close();
    await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
