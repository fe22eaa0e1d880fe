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
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCache, resolveApp, transpile } from './harness/app-build';
import { printReport, runBenchmark } from './harness/benchmark';
import { countRows, PG_URL } from './harness/database';
import { runDriver, WindowFigures } from './harness/driver-control';
import { printedApiKey, Server, startServer } from './harness/processes';
import { fmt, log, sum, table } from './harness/report';
import type { RunsDriverConfig, RunsPhaseResult } from './runs-driver';

/** Its own cache: bench:ingest's build may be running or being rebuilt meanwhile. */
const CACHE = benchCache('flightdeck-bench-runs');
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
/** Production mode and every migration make a slow first start. */
const START = { liveTimeoutMs: 120_000 };

type Phase = RunsPhaseResult & WindowFigures;

interface Figures {
  name: string;
  label: string;
  phases: Phase[];
  acked: number;
  stored: number;
  peakRssMb: number;
}

function drive(
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
  return runDriver<RunsDriverConfig, RunsPhaseResult>(
    { server, database, driverJs, config, durationMs: DURATION_MS },
    (r) => `${fmt(r.runsPerSecond, 0)} runs/s`,
  );
}

async function benchFlightdeck(driverJs: string): Promise<Figures> {
  const { args, label } = resolveApp({ cache: CACHE, preferDist: false });
  log(`Flightdeck: ${label}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-bench-runs-'));
  const server = await startServer(
    'flightdeck',
    args,
    {
      NODE_ENV: 'production',
      DATABASE_URL: `${PG_URL}/flightdeck_bench_runs`,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '1000000000',
      // Production requires a key-encryption key (model credentials); a throwaway one for the run.
      MODELOPS_KEK: process.env.MODELOPS_KEK ?? `bench:${randomBytes(32).toString('base64')}`,
    },
    START,
  );
  try {
    const key = printedApiKey(server);
    log(`flightdeck live at ${server.url} (pid ${server.pid})`);
    const { phases, peakRssMb } = await drive(server, 'flightdeck_bench_runs', key, driverJs);
    const stored = await countRows('flightdeck_bench_runs', 'runs');
    const events = await countRows('flightdeck_bench_runs', 'events', `type IN ('run.start', 'run.end')`);
    log(`flightdeck stored ${stored} runs and ${events} run.start/run.end events`);
    return { name: 'flightdeck', label, phases, acked: sum(phases.map((p) => p.ackedRuns)), stored, peakRssMb };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchMinimal(driverJs: string): Promise<Figures> {
  const server = await startServer(
    'minimal',
    [transpile('runs-minimal-server', CACHE)],
    { DATABASE_URL: `${PG_URL}/flightdeck_bench_runs_minimal`, FLUSHERS: MINIMAL_FLUSHERS, MINIMAL_EVENTS },
    START,
  );
  try {
    log(`minimal live at ${server.url} (pid ${server.pid}, flushers ${MINIMAL_FLUSHERS})`);
    const { phases, peakRssMb } = await drive(server, 'flightdeck_bench_runs_minimal', 'none', driverJs);
    const stored = await countRows('flightdeck_bench_runs_minimal', 'runs');
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
  ];
  printReport(out);
  return verified(app) && (!minimal || verified(minimal));
}

runBenchmark({
  name: 'bench:runs',
  cache: CACHE,
  databases: ['flightdeck_bench_runs', 'flightdeck_bench_runs_minimal'],
  driver: 'runs-driver',
  benchFlightdeck,
  benchMinimal,
  report,
});
