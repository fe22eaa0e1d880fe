/**
 * `npm run bench:cpu-ab`: the CPU that two builds of Flightdeck spend per append request, measured
 * side by side, to tell a small change from the machine's noise.
 *
 * Why it exists: on these 2-core machines the closed-loop figures of bench:ingest (events/s, p99)
 * swing by ±30% between runs a minute apart, so a change worth 3% cannot be seen there. CPU time
 * per request is what such a change moves. Here both builds run at once on their own databases,
 * and short bursts alternate between them (A, B, A, B, ...), so each pair meets the same machine;
 * the report is the median of the per-pair ratios B/A, for the whole process and for its main
 * thread (where requests are served: the figure that bounds latency).
 *
 * Environment: BENCH_A and BENCH_B, the compiled entry points to compare (default: dist/src/main.js
 * for both, which measures the noise floor; copy dist/ to dist-b/, patch it, and set
 * BENCH_B=dist-b/src/main.js), BENCH_CONNECTIONS (4), BENCH_BURST_MS (2000), BENCH_ROUNDS (12),
 * BENCH_PG_URL as for bench:ingest.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventTemplate } from './driver';
import { PG_URL, recreateDatabase } from './harness/database';
import { post } from './harness/load-driver';
import { killAll, printedApiKey, Server, startServer } from './harness/processes';
import { fmt, log } from './harness/report';
import { processCpuSeconds, threadCpuSeconds } from './proc-stats';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const BURST_MS = Number(process.env.BENCH_BURST_MS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const BATCH_SIZE = 100;
const EVENT_BYTES = 300; // as bench:ingest sends

interface Build {
  name: string;
  server: Server;
  dataDir: string;
  key: string;
  sessions: { path: string; agent: Agent; seq: number; event: ReturnType<typeof eventTemplate> }[];
}

interface Burst {
  requests: number;
  /** CPU milliseconds per request: of the whole process, and of its main thread. */
  processMs: number;
  mainMs: number;
}

async function startBuild(name: string, entry: string): Promise<Build> {
  const database = `flightdeck_cpu_${name.toLowerCase()}`;
  await recreateDatabase(database);
  const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-cpu-'));
  const server = await startServer(
    `flightdeck-${name}`,
    [entry],
    { DATABASE_URL: `${PG_URL}/${database}`, DATA_DIR: dataDir, LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '1000000000' },
    { liveTimeoutMs: 60_000 },
  );
  const key = printedApiKey(server);
  const sessions: Build['sessions'] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const res = await fetch(`${server.url}/api/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agent: { name: 'cpu-ab', version: '1.0.0' } }),
    });
    const { id } = (await res.json()) as { id: string };
    sessions.push({
      path: `/api/traces/${id}/events`,
      agent: new Agent({ keepAlive: true, maxSockets: 1 }),
      seq: 0,
      event: eventTemplate(EVENT_BYTES, `c${i}`),
    });
  }
  log(`${name}: ${entry} live at ${server.url} (pid ${server.pid})`);
  return { name, server, dataDir, key, sessions };
}

function batchBody(session: Build['sessions'][number]): Buffer {
  const ts = new Date().toISOString();
  const events: string[] = [];
  for (let i = 0; i < BATCH_SIZE; i++) events.push(session.event(++session.seq, ts));
  return Buffer.from(`{"events":[${events.join(',')}]}`);
}

/** Every connection appends, one request at a time, for BURST_MS; the build's CPU is read around it. */
async function burst(build: Build): Promise<Burst> {
  const { pid } = build.server;
  const url = new URL(build.server.url);
  const headers = { authorization: `Bearer ${build.key}` };
  const cpu = () => ({ process: processCpuSeconds(pid) ?? NaN, main: threadCpuSeconds(pid) ?? NaN });
  const before = cpu();
  const end = Date.now() + BURST_MS;
  let requests = 0;
  await Promise.all(
    build.sessions.map(async (session) => {
      while (Date.now() < end) {
        const { status } = await post(session.agent, url, { path: session.path, headers, body: batchBody(session) });
        if (status !== 200) throw new Error(`${build.name}: an append answered ${status}`);
        requests++;
      }
    }),
  );
  const after = cpu();
  return {
    requests,
    processMs: ((after.process - before.process) * 1000) / requests,
    mainMs: ((after.main - before.main) * 1000) / requests,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function main(): Promise<void> {
  const a = await startBuild('A', process.env.BENCH_A ?? 'dist/src/main.js');
  const b = await startBuild('B', process.env.BENCH_B ?? 'dist/src/main.js');
  try {
    // Warm both (JIT, pools, caches) before anything counts.
    for (let i = 0; i < 2; i++) for (const build of [a, b]) await burst(build);
    const pairs: { a: Burst; b: Burst }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const pair = { a: await burst(a), b: await burst(b) };
      pairs.push(pair);
      const show = (x: Burst) => `${x.requests} req, ${fmt(x.processMs, 3)} ms/req (main ${fmt(x.mainMs, 3)})`;
      log(`round ${round}: A ${show(pair.a)} | B ${show(pair.b)}`);
    }
    const ratio = (pick: (x: Burst) => number) => median(pairs.map((p) => pick(p.b) / pick(p.a)));
    const spread = (pick: (x: Burst) => number) => {
      const ratios = pairs.map((p) => pick(p.b) / pick(p.a)).sort((x, y) => x - y);
      return `${fmt(ratios[Math.floor(ratios.length / 4)], 3)}–${fmt(ratios[Math.floor((ratios.length * 3) / 4)], 3)}`;
    };
    log(
      `CPU per request, median of ${ROUNDS} paired bursts of ${BURST_MS} ms at ${CONNECTIONS} connections: ` +
        `A ${fmt(median(pairs.map((p) => p.a.processMs)), 3)} ms, B ${fmt(median(pairs.map((p) => p.b.processMs)), 3)} ms`,
    );
    log(
      `B/A process CPU: ${fmt(
        ratio((x) => x.processMs),
        3,
      )} (interquartile ${spread((x) => x.processMs)})`,
    );
    log(
      `B/A main-thread CPU: ${fmt(
        ratio((x) => x.mainMs),
        3,
      )} (interquartile ${spread((x) => x.mainMs)})`,
    );
  } finally {
    for (const build of [a, b]) {
      await build.server.stop();
      rmSync(build.dataDir, { recursive: true, force: true });
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    killAll();
    process.exit(1);
  },
);
