/**
 * `npm run bench:ingest`: ingest throughput of Flightdeck against the fastest minimal server we
 * could write (bench/minimal-server.ts), in one run, on the local PostgreSQL.
 *
 * 1. Re-creates the databases `flightdeck_bench` and `flightdeck_bench_minimal`.
 * 2. Starts Flightdeck compiled (dist/ when it is newer than the sources, else a private build
 *    under node_modules/.cache/flightdeck-bench, rebuilt with `nest build` when stale), with
 *    LOG_LEVEL=warn, a very high rate limit and no Redis, and takes the printed superadmin key.
 *    Others edit the tree meanwhile: when the working tree does not boot, the last commit is
 *    built apart (git archive into the cache) and measured instead; the report says which ran.
 * 3. A driver process (bench/driver.ts) runs 16 then 100 connections, each appending batches of
 *    100 events (~300 B each) to its own session with strictly increasing seqs: a CHECKPOINT,
 *    warm-up, then a measured window. Every answer is checked (accepted == sent), and at the end
 *    the events table must hold exactly the acknowledged events. The warm-up is 6 s because with
 *    3 s the first 2.5 s of the window still ran 10-25% slower than the rest (JIT, a young table's
 *    index splits and file extension, full-page writes); the CHECKPOINT keeps a checkpoint that the
 *    previous phase made due (max_wal_size) from landing in the window, where its writes stalled
 *    WAL fsyncs for up to a second.
 * 4. The same for the minimal server; then the ratio and the targets.
 *
 * Environment: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432), BENCH_WARMUP_S (6),
 * BENCH_DURATION_S (10), BENCH_MINIMAL_FLUSHERS (2), BENCH_APP=ts-node to run src/main.ts instead,
 * BENCH_NODE_FLAGS="--max-semi-space-size=4 ..." to pass V8/Node flags to the app,
 * BENCH_ONLY=flightdeck to skip the minimal server (quicker A/B runs of the app),
 * BENCH_CONNECTIONS=16 to run only some of the phases (default 16,100),
 * BENCH_APP_ENTRY=<main.js> to run another compiled build (e.g. of a patched copy of the tree),
 * BENCH_APP_OUTPUT=<prefix> to keep what each server printed (<prefix>.<server>.log; with
 * BENCH_NODE_FLAGS=--trace-gc it shows the heap after every collection),
 * BENCH_LATENCY_LOG=<prefix> to write every measured request's send time and latency
 * (<prefix>.<database>.<phase>.tsv: whether slow answers are spread out or bunched in stalls),
 * BENCH_PROFILE=<dir> to preload bench/instrument.ts into the compiled app (method timings and a
 * V8 CPU profile written to <dir>; it slows the app a little).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriverConfig, PhaseResult } from './driver';
import { benchCache, buildHead, resolveApp, transpile } from './harness/app-build';
import { printReport, runBenchmark } from './harness/benchmark';
import { countRows, PG_URL, recreateDatabase, withClient } from './harness/database';
import { runDriver, WindowFigures } from './harness/driver-control';
import { printedApiKey, Server, startServer } from './harness/processes';
import { fmt, log, mb, sum, table } from './harness/report';
import { readMemory } from './proc-stats';

const CACHE = benchCache('flightdeck-bench');
const WARMUP_MS = Number(process.env.BENCH_WARMUP_S ?? 6) * 1000;
const DURATION_MS = Number(process.env.BENCH_DURATION_S ?? 10) * 1000;
const MINIMAL_FLUSHERS = process.env.BENCH_MINIMAL_FLUSHERS ?? '2';
const BATCH_SIZE = 100;
const EVENT_BYTES = 300;
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '16,100').split(',').map(Number);
const CORES = cpus().length;
const TARGETS = { ratio: 0.6, p99Ms16: 100, rssMb: 300 };
/** A first start runs every migration. */
const START = { liveTimeoutMs: 60_000, outputPrefix: process.env.BENCH_APP_OUTPUT };

// ---------------------------------------------------------------------------------------------
// One server under load

type PhaseFigures = PhaseResult & WindowFigures;

interface ServerFigures {
  name: string;
  phases: PhaseFigures[];
  peakRssMb: number;
  acked: number;
  stored: number;
}

async function createSessions(url: string, key: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  for (let i = 0; i < count; i += 8) {
    const created = await Promise.all(
      Array.from({ length: Math.min(8, count - i) }, async () => {
        const res = await fetch(`${url}/api/traces`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ agent: { name: 'bench-agent', version: '1.0.0' } }),
        });
        const body = (await res.json()) as { id?: string };
        if (res.status !== 201 || !body.id)
          throw new Error(`POST /api/traces answered ${res.status}: ${JSON.stringify(body)}`);
        return body.id;
      }),
    );
    ids.push(...created);
  }
  return ids;
}

/**
 * Runs the phases one driver each, after a CHECKPOINT of the server's database: every phase
 * starts with no checkpoint due, whatever the one before wrote, so neither server's window takes
 * the other's (or its own previous phase's) flush of dirty pages. The warm-up then absorbs the
 * full-page writes that follow a checkpoint.
 */
async function drive(
  server: Server,
  database: string,
  key: string,
  driverJs: string,
): Promise<{ phases: PhaseFigures[]; peakRssMb: number }> {
  const sessions = await createSessions(server.url, key, sum(CONNECTIONS));
  const phases: PhaseFigures[] = [];
  let peakRssMb = 0;
  let offset = 0;
  for (const n of CONNECTIONS) {
    const phase = {
      name: `c${n}`,
      sessions: sessions.slice(offset, offset + n),
      warmupMs: WARMUP_MS,
      durationMs: DURATION_MS,
    };
    offset += n;
    await withClient(database, (client) => client.query('CHECKPOINT'));
    const config: DriverConfig = {
      url: server.url,
      key,
      batchSize: BATCH_SIZE,
      eventBytes: EVENT_BYTES,
      phases: [phase],
    };
    const run = await runDriver<DriverConfig, PhaseResult>(
      { server, database, driverJs, config, durationMs: DURATION_MS },
      (r) => `${fmt(r.eventsPerSecond, 0)} events/s`,
    );
    phases.push(...run.phases);
    peakRssMb = Math.max(peakRssMb, run.peakRssMb);
  }
  return { phases, peakRssMb };
}

async function startFlightdeck(args: string[], dataDir: string): Promise<Server> {
  const profDir = process.env.BENCH_PROFILE;
  return startServer(
    'flightdeck',
    [
      ...(process.env.BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? []),
      ...(profDir && !args.includes('src/main.ts') ? ['-r', transpile('instrument', CACHE)] : []),
      ...args,
    ],
    {
      ...(profDir ? { BENCH_PROFILE: profDir } : {}),
      // NODE_ENV stays at its default (development): production demands secrets (e.g. MODELOPS_KEK)
      // that nothing on the ingest path reads.
      DATABASE_URL: `${PG_URL}/flightdeck_bench`,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '1000000000',
    },
    START,
  );
}

async function benchFlightdeck(driverJs: string): Promise<ServerFigures & { label: string }> {
  let { args, label } = resolveApp({ cache: CACHE, preferDist: true });
  log(`Flightdeck: ${label}`);
  const profDir = process.env.BENCH_PROFILE;
  const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-bench-'));
  let server: Server;
  try {
    server = await startFlightdeck(args, dataDir);
  } catch (error) {
    if (process.env.BENCH_APP || process.env.BENCH_APP_ENTRY) throw error;
    // Someone's half-done change in the shared tree (a module without its migration, say) can
    // keep it from booting: measure the last commit instead, and say so.
    const tail = String(error instanceof Error ? error.message : error)
      .split('\n')
      .slice(-6)
      .join('\n');
    log(`the working tree did not boot:\n${tail}`);
    ({ args, label } = buildHead(CACHE));
    log(`Flightdeck: ${label}`);
    await recreateDatabase('flightdeck_bench');
    server = await startFlightdeck(args, dataDir);
  }
  try {
    const key = printedApiKey(server);
    log(
      `flightdeck live at ${server.url} (pid ${server.pid}, RSS ${fmt(mb(readMemory(server.pid)?.rss ?? 0), 0)} MB idle)`,
    );
    const { phases, peakRssMb } = await drive(server, 'flightdeck_bench', key, driverJs);
    const stored = await countRows('flightdeck_bench', 'events');
    if (profDir) {
      server.child.kill('SIGUSR2');
      for (let i = 0; i < 50 && !server.output().includes('instrument: wrote'); i++)
        await new Promise((r) => setTimeout(r, 100));
      log(`profile and timings written to ${profDir}`);
    }
    return {
      name: 'flightdeck',
      label,
      phases,
      peakRssMb,
      acked: sum(phases.map((p) => p.ackedEvents)),
      stored,
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchMinimal(driverJs: string): Promise<ServerFigures> {
  const server = await startServer(
    'minimal',
    [transpile('minimal-server', CACHE)],
    { DATABASE_URL: `${PG_URL}/flightdeck_bench_minimal`, FLUSHERS: MINIMAL_FLUSHERS },
    START,
  );
  try {
    log(`minimal live at ${server.url} (pid ${server.pid}, flushers ${MINIMAL_FLUSHERS})`);
    const { phases, peakRssMb } = await drive(server, 'flightdeck_bench_minimal', 'none', driverJs);
    const stored = await countRows('flightdeck_bench_minimal', 'events');
    return {
      name: 'minimal',
      phases,
      peakRssMb,
      acked: sum(phases.map((p) => p.ackedEvents)),
      stored,
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function report(app: ServerFigures & { label: string }, minimal: ServerFigures | undefined): boolean {
  const header = [
    'server',
    'conns',
    'events/s',
    'req/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'server CPU%',
    'postgres CPU%',
    'machine CPU%',
    'others CPU%',
    'driver CPU%',
    'server+pg CPU µs/event',
    'RSS max MB',
    'failures',
  ];
  const rows = (minimal ? [app, minimal] : [app]).flatMap((s) =>
    s.phases.map((p) => [
      s.name,
      String(p.connections),
      fmt(p.eventsPerSecond, 0),
      fmt(p.requestsPerSecond, 0),
      fmt(p.p50Ms, 1),
      fmt(p.p90Ms, 1),
      fmt(p.p99Ms, 1),
      fmt(p.maxMs, 1),
      fmt(p.serverCpuPercent, 0),
      fmt(p.postgresCpuPercent, 0),
      fmt(p.machineCpuPercent, 0),
      fmt(p.machineCpuPercent * CORES - p.serverCpuPercent - p.postgresCpuPercent - p.driverCpuPercent, 0),
      fmt(p.driverCpuPercent, 0),
      fmt(((p.serverCpuPercent + p.postgresCpuPercent) / 100 / p.eventsPerSecond) * 1e6, 1),
      fmt(p.peakRssDuringMb, 0),
      String(p.failures),
    ]),
  );
  const at = (s: ServerFigures, n: number) => s.phases.find((p) => p.connections === n);
  const ratio = (at(app, 100)?.eventsPerSecond ?? 0) / ((minimal && at(minimal, 100)?.eventsPerSecond) || NaN);
  const p99 = at(app, 16)?.p99Ms ?? NaN;
  const sample = app.phases[0];
  const verified = (s: ServerFigures) => s.acked === s.stored && s.phases.every((p) => p.failures === 0);

  const out = [
    '',
    '== Ingest benchmark ==',
    `app: ${app.label}; minimal: bench/minimal-server.ts (node:http + pg, ${MINIMAL_FLUSHERS} group-commit flusher(s))`,
    `load: batches of ${BATCH_SIZE} events, ~${sample?.serializedEventBytes ?? '?'} B per serialized event, ${sample?.requestBytes ?? '?'} B per request; ` +
      `${WARMUP_MS / 1000}s warm-up + ${DURATION_MS / 1000}s measured per phase; one session per connection; driver in its own process`,
    `CPU% columns are % of one core over the measured window; the machine has ${CORES} cores and machine CPU% is of all of them; ` +
      `postgres = the backends of the benchmark's database plus the cluster's WAL writer, checkpointer, background writer and autovacuum; others = the rest of the machine (other work running meanwhile); ` +
      `server+pg CPU µs/event = CPU the server and PostgreSQL spent per stored event (what bounds events/s once the cores are busy)`,
    '',
    table([header, ...rows]),
    '',
    `peak RSS (VmHWM): flightdeck ${fmt(app.peakRssMb, 0)} MB, minimal ${fmt(minimal?.peakRssMb ?? NaN, 0)} MB`,
    `verification: flightdeck acknowledged ${app.acked} events, events table holds ${app.stored} -> ${verified(app) ? 'OK' : 'MISMATCH'}; ` +
      (minimal
        ? `minimal acknowledged ${minimal.acked}, table holds ${minimal.stored} -> ${verified(minimal) ? 'OK' : 'MISMATCH'}`
        : 'minimal skipped (BENCH_ONLY=flightdeck)'),
    `ratio flightdeck/minimal events/s at 100 connections: ${fmt(ratio, 2)} (${fmt(ratio * 100, 0)}%)`,
    // This machine's pace swings by a third within minutes: the minimal server's own figures say
    // how this run's machine compares with the one the targets were set on (minimal ≈ 50k events/s).
    ...(minimal
      ? [
          `machine pace: the minimal server made ${fmt(at(minimal, 100)?.eventsPerSecond ?? NaN, 0)} events/s at 100 connections ` +
            `and p99 ${fmt(at(minimal, 16)?.p99Ms ?? NaN, 1)} ms at 16 (targets were set where it makes about 50k events/s)`,
        ]
      : []),
    '',
    table([
      ['target', 'goal', 'measured', 'result'],
      [
        'events/s vs minimal @100 conns',
        `>= ${TARGETS.ratio * 100}%`,
        `${fmt(ratio * 100, 0)}%`,
        ratio >= TARGETS.ratio ? 'PASS' : 'FAIL',
      ],
      [
        'p99 latency @16 conns',
        `< ${TARGETS.p99Ms16} ms`,
        `${fmt(p99, 1)} ms`,
        p99 < TARGETS.p99Ms16 ? 'PASS' : 'FAIL',
      ],
      [
        'peak RSS',
        `< ${TARGETS.rssMb} MB`,
        `${fmt(app.peakRssMb, 0)} MB`,
        app.peakRssMb < TARGETS.rssMb ? 'PASS' : 'FAIL',
      ],
    ]),
  ];
  printReport(out);
  return verified(app) && (!minimal || verified(minimal));
}

runBenchmark({
  name: 'bench:ingest',
  cache: CACHE,
  databases: ['flightdeck_bench', 'flightdeck_bench_minimal'],
  driver: 'driver',
  benchFlightdeck,
  benchMinimal,
  report,
});
