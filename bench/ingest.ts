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
 *    100 events (~300 B each) to its own session with strictly increasing seqs: warm-up, then a
 *    measured window. Every answer is checked (accepted == sent), and at the end the events table
 *    must hold exactly the acknowledged events.
 * 4. The same for the minimal server; then the ratio and the targets.
 *
 * Environment: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432), BENCH_WARMUP_S (3),
 * BENCH_DURATION_S (10), BENCH_MINIMAL_FLUSHERS (2), BENCH_APP=ts-node to run src/main.ts instead,
 * BENCH_NODE_FLAGS="--max-semi-space-size=4 ..." to pass V8/Node flags to the app,
 * BENCH_ONLY=flightdeck to skip the minimal server (quicker A/B runs of the app),
 * BENCH_APP_ENTRY=<main.js> to run another compiled build (e.g. of a patched copy of the tree),
 * BENCH_APP_OUTPUT=<prefix> to keep what each server printed (<prefix>.<server>.log; with
 * BENCH_NODE_FLAGS=--trace-gc it shows the heap after every collection),
 * BENCH_PROFILE=<dir> to preload bench/instrument.ts into the compiled app (method timings and a
 * V8 CPU profile written to <dir>; it slows the app a little).
 */
import { ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { Client } from 'pg';
import * as ts from 'typescript';
import type { DriverConfig, DriverMessage, PhaseResult } from './driver';
import { cpuBetween, CpuSnapshot, cpuSnapshot, MemorySampler, readMemory } from './proc-stats';

const ROOT = join(__dirname, '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'flightdeck-bench');
const PG_URL = (process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const WARMUP_MS = Number(process.env.BENCH_WARMUP_S ?? 3) * 1000;
const DURATION_MS = Number(process.env.BENCH_DURATION_S ?? 10) * 1000;
const MINIMAL_FLUSHERS = process.env.BENCH_MINIMAL_FLUSHERS ?? '2';
const BATCH_SIZE = 100;
const EVENT_BYTES = 300;
const CONNECTIONS = [16, 100];
const CORES = cpus().length;
const TARGETS = { ratio: 0.6, p99Ms16: 100, rssMb: 300 };

const t0 = Date.now();
const children = new Set<ChildProcess>();
const log = (line: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);
const mb = (bytes: number) => bytes / 1024 / 1024;

// ---------------------------------------------------------------------------------------------
// Processes

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
  child: ChildProcess;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

async function startServer(name: string, args: string[], env: Record<string, string>, port: number): Promise<Server> {
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
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited early:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not become live in time:\n${output}`);
    }
    if (
      await fetch(`${url}/health/live`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name,
    url,
    child,
    pid: child.pid!,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      if (process.env.BENCH_APP_OUTPUT) writeFileSync(`${process.env.BENCH_APP_OUTPUT}.${name}.log`, output);
      children.delete(child);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Builds

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

/** The compiled app: dist/ when fresh, else a private build (dist/ may be someone else's). */
function resolveApp(): { args: string[]; label: string } {
  if (process.env.BENCH_APP_ENTRY) {
    return { args: [process.env.BENCH_APP_ENTRY], label: `compiled: ${process.env.BENCH_APP_ENTRY} (BENCH_APP_ENTRY)` };
  }
  if (process.env.BENCH_APP === 'ts-node') {
    return {
      args: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/main.ts'],
      label: 'ts-node src/main.ts (BENCH_APP=ts-node)',
    };
  }
  const sources = newestMtime(
    ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'].map((p) => join(ROOT, p)),
  );
  const dist = join(ROOT, 'dist', 'src', 'main.js');
  if (existsSync(dist) && statSync(dist).mtimeMs >= sources)
    return { args: [dist], label: 'compiled: dist/src/main.js (fresh)' };

  const build = join(CACHE, 'build');
  const entry = join(build, 'src', 'main.js');
  const stamp = join(CACHE, 'build.stamp');
  const label = `compiled: ${relative(ROOT, entry)} (nest build of the working tree; dist/ is ${existsSync(dist) ? 'stale' : 'missing'})`;
  if (existsSync(entry) && existsSync(stamp) && Number(readFileSync(stamp, 'utf8')) >= sources)
    return { args: [entry], label };
  log('building the app (nest build -p bench/tsconfig.app.json) ...');
  const nest = join(ROOT, 'node_modules', '.bin', 'nest');
  const result = spawnSync(nest, ['build', '-p', 'bench/tsconfig.app.json'], { cwd: ROOT, encoding: 'utf8' });
  const errors = stripVTControlCharacters(`${result.stdout}${result.stderr}`).trim();
  if (!existsSync(entry)) {
    log(`nest build produced nothing, falling back to ts-node:\n${errors}`);
    return {
      args: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/main.ts'],
      label: 'ts-node src/main.ts (nest build failed)',
    };
  }
  if (result.status !== 0) {
    // Others edit the tree while this runs. Like tsc, nest build still emits JS when only types
    // are wrong: run that (what ts-node --transpile-only would run too), and say so.
    log(`nest build reported errors (the JS was emitted and is used):\n${errors}`);
    return { args: [entry], label: `${relative(ROOT, entry)} (compiled, but the working tree had type errors)` };
  }
  writeFileSync(stamp, String(sources));
  return { args: [entry], label };
}

/** The last commit, compiled apart (git archive into the cache): the fallback when the shared working tree does not boot. */
function buildHead(): { args: string[]; label: string } {
  const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const dir = join(CACHE, `head-${commit.slice(0, 12)}`);
  const entry = join(dir, 'dist', 'src', 'main.js');
  const label = `compiled: HEAD ${commit.slice(0, 12)} (git archive, nest build in ${relative(ROOT, dir)}; the working tree did not boot)`;
  if (existsSync(entry)) return { args: [entry], label };
  log(`building HEAD ${commit.slice(0, 12)} apart ...`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync('sh', ['-c', `git archive HEAD | tar -x -C "${dir}"`], { cwd: ROOT, encoding: 'utf8' });
  if (archive.status !== 0) throw new Error(`git archive failed: ${archive.stderr}`);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const build = spawnSync(join(ROOT, 'node_modules', '.bin', 'nest'), ['build'], { cwd: dir, encoding: 'utf8' });
  if (!existsSync(entry))
    throw new Error(`nest build of HEAD failed:\n${stripVTControlCharacters(`${build.stdout}${build.stderr}`)}`);
  return { args: [entry], label };
}

/** bench/<name>.ts → plain JS in the cache, so the driver and the minimal server run without ts-node. */
function transpile(name: string): string {
  mkdirSync(CACHE, { recursive: true });
  const source = readFileSync(join(__dirname, `${name}.ts`), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const out = join(CACHE, `${name}.js`);
  writeFileSync(out, outputText);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Database

async function withClient<T>(database: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: `${PG_URL}/${database}` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function countEvents(database: string): Promise<number> {
  return withClient(database, async (c) =>
    Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0].n),
  );
}

async function recreateDatabase(name: string): Promise<void> {
  await withClient('postgres', async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  });
}

// ---------------------------------------------------------------------------------------------
// One server under load

interface PhaseFigures extends PhaseResult {
  serverCpuPercent: number;
  postgresCpuPercent: number;
  machineCpuPercent: number;
  peakRssDuringMb: number;
}

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

async function drive(
  server: Server,
  database: string,
  key: string,
  driverJs: string,
): Promise<{ phases: PhaseFigures[]; sampler: MemorySampler }> {
  const sessions = await createSessions(
    server.url,
    key,
    CONNECTIONS.reduce((a, b) => a + b, 0),
  );
  let offset = 0;
  const config: DriverConfig = {
    url: server.url,
    key,
    batchSize: BATCH_SIZE,
    eventBytes: EVENT_BYTES,
    phases: CONNECTIONS.map((n) => {
      const phase = {
        name: `c${n}`,
        sessions: sessions.slice(offset, offset + n),
        warmupMs: WARMUP_MS,
        durationMs: DURATION_MS,
      };
      offset += n;
      return phase;
    }),
  };
  const sampler = new MemorySampler(server.pid);
  const driver = fork(driverJs, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(driver);
  // PostgreSQL CPU is counted for the backends serving this database and for the cluster's
  // writers (WAL writer, checkpointer, background writer, autovacuum): other databases of the
  // cluster (other people's tests) are not ours.
  const pg = new Client({ connectionString: `${PG_URL}/${database}` });
  await pg.connect();
  const snapshot = async () => {
    const { rows } = await pg.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE pid <> pg_backend_pid()
          AND (datname = current_database() OR backend_type IN ('walwriter', 'checkpointer', 'background writer', 'autovacuum worker'))`,
    );
    return cpuSnapshot(
      server.pid,
      rows.map((r) => r.pid),
    );
  };
  const windows = new Map<string, { start: Promise<CpuSnapshot>; end?: Promise<CpuSnapshot>; rss: MemorySampler }>();
  const results: PhaseResult[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      driver.on('message', (message: DriverMessage) => {
        switch (message.type) {
          case 'window-start':
            log(`${server.name} ${message.phase}: warm-up done, measuring ${DURATION_MS / 1000}s`);
            windows.set(message.phase, { start: snapshot(), rss: new MemorySampler(server.pid) });
            break;
          case 'window-end': {
            const window = windows.get(message.phase);
            if (window) {
              window.end = snapshot();
              window.rss.stop();
            }
            break;
          }
          case 'result': {
            results.push(message.result);
            const r = message.result;
            log(
              `${server.name} ${r.name}: ${fmt(r.eventsPerSecond, 0)} events/s, p50 ${fmt(r.p50Ms, 1)} ms, p99 ${fmt(r.p99Ms, 1)} ms` +
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
    const phases: PhaseFigures[] = [];
    for (const result of results) {
      const window = windows.get(result.name);
      const cpu = window?.end
        ? cpuBetween(await window.start, await window.end)
        : { processPercent: NaN, postgresPercent: NaN, machinePercent: NaN };
      phases.push({
        ...result,
        serverCpuPercent: cpu.processPercent,
        postgresCpuPercent: cpu.postgresPercent,
        machineCpuPercent: cpu.machinePercent,
        peakRssDuringMb: mb(window?.rss.peakRss ?? 0),
      });
    }
    return { phases, sampler };
  } finally {
    await pg.end();
    children.delete(driver);
    sampler.stop();
  }
}

async function startFlightdeck(args: string[], dataDir: string): Promise<Server> {
  const profDir = process.env.BENCH_PROFILE;
  return startServer(
    'flightdeck',
    [
      ...(process.env.BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? []),
      ...(profDir && !args.includes('src/main.ts') ? ['-r', transpile('instrument')] : []),
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
    await freePort(),
  );
}

async function benchFlightdeck(driverJs: string): Promise<ServerFigures & { label: string }> {
  let { args, label } = resolveApp();
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
    ({ args, label } = buildHead());
    log(`Flightdeck: ${label}`);
    await recreateDatabase('flightdeck_bench');
    server = await startFlightdeck(args, dataDir);
  }
  try {
    const key = /API key \(shown once, store it now\): (tp_live_[0-9A-Za-z]+)/.exec(server.output())?.[1];
    if (!key) throw new Error(`no API key printed by the first start:\n${server.output()}`);
    log(
      `flightdeck live at ${server.url} (pid ${server.pid}, RSS ${fmt(mb(readMemory(server.pid)?.rss ?? 0), 0)} MB idle)`,
    );
    const { phases, sampler } = await drive(server, 'flightdeck_bench', key, driverJs);
    const stored = await countEvents('flightdeck_bench');
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
      peakRssMb: mb(sampler.hwm),
      acked: sum(phases.map((p) => p.ackedEvents)),
      stored,
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchMinimal(driverJs: string): Promise<ServerFigures> {
  const serverJs = transpile('minimal-server');
  const server = await startServer(
    'minimal',
    [serverJs],
    { DATABASE_URL: `${PG_URL}/flightdeck_bench_minimal`, FLUSHERS: MINIMAL_FLUSHERS },
    await freePort(),
  );
  try {
    log(`minimal live at ${server.url} (pid ${server.pid}, flushers ${MINIMAL_FLUSHERS})`);
    const { phases, sampler } = await drive(server, 'flightdeck_bench_minimal', 'none', driverJs);
    const stored = await countEvents('flightdeck_bench_minimal');
    return {
      name: 'minimal',
      phases,
      peakRssMb: mb(sampler.hwm),
      acked: sum(phases.map((p) => p.ackedEvents)),
      stored,
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const fmt = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    `| ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

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
    '',
    `total time ${((Date.now() - t0) / 1000).toFixed(1)}s`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return verified(app) && (!minimal || verified(minimal));
}

async function main(): Promise<void> {
  log(`PostgreSQL ${PG_URL}: re-creating flightdeck_bench and flightdeck_bench_minimal`);
  await recreateDatabase('flightdeck_bench');
  await recreateDatabase('flightdeck_bench_minimal');
  const driverJs = transpile('driver');
  const app = await benchFlightdeck(driverJs);
  const minimal = process.env.BENCH_ONLY === 'flightdeck' ? undefined : await benchMinimal(driverJs);
  const ok = report(app, minimal);
  if (!ok) process.exitCode = 1;
}

main()
  .catch((error: unknown) => {
    process.stderr.write(
      `bench:ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  })
  .finally(killAll);
