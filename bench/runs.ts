/**
 * `npm run bench:runs`: LangSmith run ingestion (`POST /api/v1/runs/batch`, batches of 100 runs)
 * of Flightdeck against the fastest minimal server we could write (bench/runs-minimal-server.ts),
 * in one run, on the local PostgreSQL. Same method as `bench:ingest` (bench/ingest.ts):
 *
 * 1. Re-creates the databases `flightdeck_bench_runs` and `flightdeck_bench_runs_minimal`.
 * 2. Starts Flightdeck compiled (a private build under node_modules/.cache/flightdeck-bench-runs,
 *    rebuilt with `nest build` when the sources are newer), with LOG_LEVEL=warn, a very high rate
 *    limit and no Redis, and takes the printed superadmin key.
 * 3. A driver process (bench/runs-driver.ts) runs each connection count in turn: every connection
 *    posts batches of 100 complete runs (10 new traces of 10 runs, ~600 B per run), one request at
 *    a time: warm-up, then a measured window. Every answer is checked (created_count == 100, no
 *    errors), and at the end the runs table must hold exactly the acknowledged runs. Flightdeck
 *    also creates a session per trace and appends run.start/run.end to it (~210 events a batch).
 * 4. The same for the minimal server (runs, sessions and run.start/run.end events, written as
 *    cheaply as node:http and pg allow; see its header); then the ratio and the target (>= 50%).
 *
 * Environment: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432), BENCH_WARMUP_S (3),
 * BENCH_DURATION_S (10), BENCH_CONNECTIONS (16,64), BENCH_MINIMAL_FLUSHERS (1),
 * BENCH_MINIMAL_EVENTS=0 for a minimal server that writes the runs alone (no sessions, no events),
 * BENCH_APP=ts-node to run src/main.ts instead, BENCH_APP_ENTRY=<main.js> to run another build,
 * BENCH_ONLY=flightdeck to skip the minimal server.
 */
import { ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Client } from 'pg';
import * as ts from 'typescript';
import { cpuBetween, CpuSnapshot, cpuSnapshot, MemorySampler } from './proc-stats';
import type { RunsDriverConfig, RunsDriverMessage, RunsPhaseResult } from './runs-driver';

const ROOT = join(__dirname, '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'flightdeck-bench-runs');
const PG_URL = (process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const WARMUP_MS = Number(process.env.BENCH_WARMUP_S ?? 3) * 1000;
const DURATION_MS = Number(process.env.BENCH_DURATION_S ?? 10) * 1000;
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '16,64').split(',').map(Number);
const MINIMAL_FLUSHERS = process.env.BENCH_MINIMAL_FLUSHERS ?? '1';
const MINIMAL_EVENTS = process.env.BENCH_MINIMAL_EVENTS ?? '1';
const BATCH_SIZE = 100;
const TRACES_PER_BATCH = 10;
const RUN_BYTES = 600;
const TARGET_RATIO = 0.5;
const CORES = cpus().length;

const t0 = Date.now();
const children = new Set<ChildProcess>();
const log = (line: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);
const fmt = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Server {
  name: string;
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

async function startServer(name: string, args: string[], env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`${name} did not become live in time:\n${output}`);
    const live = await fetch(`${url}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (live) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name,
    url,
    pid: child.pid!,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      children.delete(child);
    },
  };
}

function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else if (/\.(ts|json)$/.test(path)) newest = Math.max(newest, stat.mtimeMs);
  };
  paths.forEach(visit);
  return newest;
}

/** The compiled app in a private build (dist/ may be someone else's, and so is bench:ingest's cache). */
function resolveApp(): { args: string[]; label: string } {
  const tsNode = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/main.ts'];
  if (process.env.BENCH_APP_ENTRY)
    return { args: [process.env.BENCH_APP_ENTRY], label: `${process.env.BENCH_APP_ENTRY} (BENCH_APP_ENTRY)` };
  if (process.env.BENCH_APP === 'ts-node') return { args: tsNode, label: 'ts-node src/main.ts (BENCH_APP=ts-node)' };
  const sources = newestMtime(
    ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'].map((p) => join(ROOT, p)),
  );
  const build = join(CACHE, 'build');
  const entry = join(build, 'src', 'main.js');
  const stamp = join(CACHE, 'build.stamp');
  const label = `compiled: ${relative(ROOT, entry)}`;
  if (existsSync(entry) && existsSync(stamp) && Number(readFileSync(stamp, 'utf8')) >= sources)
    return { args: [entry], label };
  mkdirSync(CACHE, { recursive: true });
  const tsconfig = join(CACHE, 'tsconfig.app.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({ extends: join(ROOT, 'tsconfig.build.json'), compilerOptions: { outDir: build } }),
  );
  log('building the app (nest build) ...');
  // Relative: nest resolves -p against the working directory.
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'nest'), ['build', '-p', relative(ROOT, tsconfig)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
  const errors = `${result.stdout}${result.stderr}`.replace(ansi, '').trim();
  if (!existsSync(entry) || statSync(entry).mtimeMs < sources) {
    log(`nest build produced nothing new, falling back to ts-node:\n${errors}`);
    return { args: tsNode, label: 'ts-node src/main.ts (nest build failed)' };
  }
  if (result.status !== 0) {
    log(
      `nest build reported type errors elsewhere in the tree (the JS was emitted and is used):\n${errors.slice(0, 2000)}`,
    );
    return { args: [entry], label: `${label} (the working tree had type errors)` };
  }
  writeFileSync(stamp, String(sources));
  return { args: [entry], label };
}

/** bench/<name>.ts → plain JS in the cache, so the driver and the minimal server run without ts-node. */
function transpile(name: string): string {
  mkdirSync(CACHE, { recursive: true });
  const { outputText } = ts.transpileModule(readFileSync(join(__dirname, `${name}.ts`), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const out = join(CACHE, `${name}.js`);
  writeFileSync(out, outputText);
  return out;
}

async function withClient<T>(database: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: `${PG_URL}/${database}` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function recreateDatabase(name: string): Promise<void> {
  await withClient('postgres', async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  });
}

const countRuns = (database: string) =>
  withClient(database, async (c) => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM runs')).rows[0].n));

interface Phase extends RunsPhaseResult {
  serverCpuPercent: number;
  postgresCpuPercent: number;
}

interface Figures {
  name: string;
  label: string;
  phases: Phase[];
  acked: number;
  stored: number;
  peakRssMb: number;
}

async function drive(
  server: Server,
  database: string,
  key: string,
  driverJs: string,
): Promise<{ phases: Phase[]; peakRssMb: number }> {
  const config: RunsDriverConfig = {
    url: server.url,
    key,
    batchSize: BATCH_SIZE,
    tracesPerBatch: TRACES_PER_BATCH,
    runBytes: RUN_BYTES,
    phases: CONNECTIONS.map((n) => ({ name: `c${n}`, connections: n, warmupMs: WARMUP_MS, durationMs: DURATION_MS })),
  };
  const sampler = new MemorySampler(server.pid);
  const driver = fork(driverJs, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(driver);
  const pg = new Client({ connectionString: `${PG_URL}/${database}` });
  await pg.connect();
  // PostgreSQL CPU: the backends of this database and the cluster's writers (not other databases).
  const snapshot = async () => {
    const { rows } = await pg.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid()
          AND (datname = current_database() OR backend_type IN ('walwriter', 'checkpointer', 'background writer', 'autovacuum worker'))`,
    );
    return cpuSnapshot(
      server.pid,
      rows.map((r) => r.pid),
    );
  };
  const windows = new Map<string, { start: Promise<CpuSnapshot>; end?: Promise<CpuSnapshot> }>();
  const results: RunsPhaseResult[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      driver.on('message', (message: RunsDriverMessage) => {
        switch (message.type) {
          case 'window-start':
            log(`${server.name} ${message.phase}: warm-up done, measuring ${DURATION_MS / 1000}s`);
            windows.set(message.phase, { start: snapshot() });
            break;
          case 'window-end': {
            const window = windows.get(message.phase);
            if (window) window.end = snapshot();
            break;
          }
          case 'result': {
            const r = message.result;
            results.push(r);
            log(
              `${server.name} ${r.name}: ${fmt(r.runsPerSecond, 0)} runs/s, p50 ${fmt(r.p50Ms, 1)} ms, p99 ${fmt(r.p99Ms, 1)} ms` +
                `${r.failures ? `, ${r.failures} FAILURES (first: ${r.firstFailure})` : ''}`,
            );
            break;
          }
          case 'done':
            resolve();
            break;
          case 'error':
            reject(new Error(`driver: ${message.message}`));
            break;
        }
      });
      driver.once('exit', (code) => (code ? reject(new Error(`driver exited with ${code}`)) : resolve()));
      driver.send(config);
    });
    const phases: Phase[] = [];
    for (const r of results) {
      const w = windows.get(r.name);
      const cpu = w?.end ? cpuBetween(await w.start, await w.end) : { processPercent: NaN, postgresPercent: NaN };
      phases.push({ ...r, serverCpuPercent: cpu.processPercent, postgresCpuPercent: cpu.postgresPercent });
    }
    return { phases, peakRssMb: sampler.hwm / 1024 / 1024 };
  } finally {
    sampler.stop();
    await pg.end();
    children.delete(driver);
  }
}

async function benchFlightdeck(driverJs: string): Promise<Figures> {
  const { args, label } = resolveApp();
  log(`Flightdeck: ${label}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-bench-runs-'));
  const server = await startServer('flightdeck', args, {
    NODE_ENV: 'production',
    DATABASE_URL: `${PG_URL}/flightdeck_bench_runs`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '1000000000',
    // Production requires a key-encryption key (model credentials); a throwaway one for the run.
    MODELOPS_KEK: process.env.MODELOPS_KEK ?? `bench:${randomBytes(32).toString('base64')}`,
  });
  try {
    const key = /API key \(shown once, store it now\): (tp_live_[0-9A-Za-z]+)/.exec(server.output())?.[1];
    if (!key) throw new Error(`no API key printed by the first start:\n${server.output()}`);
    log(`flightdeck live at ${server.url} (pid ${server.pid})`);
    const { phases, peakRssMb } = await drive(server, 'flightdeck_bench_runs', key, driverJs);
    const stored = await countRuns('flightdeck_bench_runs');
    const events = await withClient('flightdeck_bench_runs', async (c) =>
      Number(
        (await c.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE type IN ('run.start', 'run.end')`))
          .rows[0].n,
      ),
    );
    log(`flightdeck stored ${stored} runs and ${events} run.start/run.end events`);
    return { name: 'flightdeck', label, phases, acked: sum(phases.map((p) => p.ackedRuns)), stored, peakRssMb };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchMinimal(driverJs: string): Promise<Figures> {
  const server = await startServer('minimal', [transpile('runs-minimal-server')], {
    DATABASE_URL: `${PG_URL}/flightdeck_bench_runs_minimal`,
    FLUSHERS: MINIMAL_FLUSHERS,
    MINIMAL_EVENTS,
  });
  try {
    log(`minimal live at ${server.url} (pid ${server.pid}, flushers ${MINIMAL_FLUSHERS})`);
    const { phases, peakRssMb } = await drive(server, 'flightdeck_bench_runs_minimal', 'none', driverJs);
    const stored = await countRuns('flightdeck_bench_runs_minimal');
    return {
      name: 'minimal',
      label: `bench/runs-minimal-server.ts (${MINIMAL_EVENTS === '0' ? 'runs only' : 'runs, sessions, run.start/run.end events'})`,
      phases,
      acked: sum(phases.map((p) => p.ackedRuns)),
      stored,
      peakRssMb,
    };
  } finally {
    await server.stop();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    `| ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

function report(app: Figures, minimal: Figures | undefined): boolean {
  const header = [
    'server',
    'conns',
    'runs/s',
    'req/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'server CPU%',
    'postgres CPU%',
    'driver CPU%',
    'failures',
  ];
  const rows = (minimal ? [app, minimal] : [app]).flatMap((s) =>
    s.phases.map((p) => [
      s.name,
      String(p.connections),
      fmt(p.runsPerSecond, 0),
      fmt(p.requests / (p.durationMs / 1000), 1),
      fmt(p.p50Ms, 1),
      fmt(p.p90Ms, 1),
      fmt(p.p99Ms, 1),
      fmt(p.maxMs, 1),
      fmt(p.serverCpuPercent, 0),
      fmt(p.postgresCpuPercent, 0),
      fmt(p.driverCpuPercent, 0),
      String(p.failures),
    ]),
  );
  const top = Math.max(...CONNECTIONS);
  const at = (s: Figures | undefined, n: number) => s?.phases.find((p) => p.connections === n)?.runsPerSecond ?? NaN;
  const ratio = at(app, top) / at(minimal, top);
  const best =
    Math.max(...app.phases.map((p) => p.runsPerSecond)) /
    Math.max(...(minimal?.phases ?? []).map((p) => p.runsPerSecond));
  const verified = (s: Figures) => s.acked === s.stored && s.phases.every((p) => p.failures === 0);
  const out = [
    '',
    '== Runs ingestion benchmark: POST /api/v1/runs/batch ==',
    `app: ${app.label}; minimal: ${minimal?.label ?? 'skipped'} (node:http + pg, ${MINIMAL_FLUSHERS} group-commit flusher(s))`,
    `load: batches of ${BATCH_SIZE} runs (${TRACES_PER_BATCH} new traces of ${BATCH_SIZE / TRACES_PER_BATCH} complete runs), ` +
      `${app.phases[0]?.requestBytes ?? '?'} B per request; ${WARMUP_MS / 1000}s warm-up + ${DURATION_MS / 1000}s measured per phase; ` +
      `driver in its own process; ${CORES} cores; CPU% is of one core over the measured window`,
    '',
    table([header, ...rows]),
    '',
    `peak RSS: flightdeck ${fmt(app.peakRssMb, 0)} MB${minimal ? `, minimal ${fmt(minimal.peakRssMb, 0)} MB` : ''}`,
    `verification: flightdeck acknowledged ${app.acked} runs, runs table holds ${app.stored} -> ${verified(app) ? 'OK' : 'MISMATCH'}` +
      (minimal
        ? `; minimal acknowledged ${minimal.acked}, table holds ${minimal.stored} -> ${verified(minimal) ? 'OK' : 'MISMATCH'}`
        : ''),
    `ratio flightdeck/minimal runs/s at ${top} connections: ${fmt(ratio, 2)} (${fmt(ratio * 100, 0)}%); best phase vs best phase: ${fmt(best * 100, 0)}%`,
    `target: >= ${TARGET_RATIO * 100}% -> ${ratio >= TARGET_RATIO ? 'PASS' : 'FAIL'}`,
    '',
    `total time ${((Date.now() - t0) / 1000).toFixed(1)}s`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return verified(app) && (!minimal || verified(minimal));
}

async function main(): Promise<void> {
  log(`PostgreSQL ${PG_URL}: re-creating flightdeck_bench_runs and flightdeck_bench_runs_minimal`);
  await recreateDatabase('flightdeck_bench_runs');
  await recreateDatabase('flightdeck_bench_runs_minimal');
  const driverJs = transpile('runs-driver');
  const app = await benchFlightdeck(driverJs);
  const minimal = process.env.BENCH_ONLY === 'flightdeck' ? undefined : await benchMinimal(driverJs);
  if (!report(app, minimal)) process.exitCode = 1;
}

main()
  .catch((error: unknown) => {
    process.stderr.write(
      `bench:runs failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  })
  .finally(killAll);
