/**
 * The load driver of `npm run bench:runs`, forked as its own process (its CPU is measured apart
 * from the server's). Each connection is a keep-alive socket of its own posting, one request at
 * a time, `POST /api/v1/runs/batch` bodies of `batchSize` runs: `tracesPerBatch` new traces, each
 * a root chain run and its llm/tool children, every run complete (start and end, inputs and
 * outputs), as the LangSmith SDK sends a finished trace (a create and its update merged). Every
 * answer is checked: 200, `created_count` equal to the runs sent, no errors.
 *
 * Plain Node (no imports beyond node:*): bench/runs.ts transpiles it to JS and forks it.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface RunsDriverPhase {
  name: string;
  connections: number;
  warmupMs: number;
  durationMs: number;
}

export interface RunsDriverConfig {
  url: string;
  /** Sent as `x-api-key`. */
  key: string;
  batchSize: number;
  tracesPerBatch: number;
  /** Approximate size of one serialized run, in bytes. */
  runBytes: number;
  phases: RunsDriverPhase[];
}

export interface RunsPhaseResult {
  name: string;
  connections: number;
  durationMs: number;
  requests: number;
  runs: number;
  runsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Every run acknowledged in the phase (warm-up and drain included): what must be stored. */
  ackedRuns: number;
  failures: number;
  firstFailure: string | null;
  driverCpuPercent: number;
  requestBytes: number;
}

export type RunsDriverMessage =
  | { type: 'window-start'; phase: string }
  | { type: 'window-end'; phase: string }
  | { type: 'result'; result: RunsPhaseResult }
  | { type: 'done' }
  | { type: 'error'; message: string };

const RUN_TYPES = ['llm', 'tool', 'retriever'];

function post(agent: Agent, url: URL, key: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/api/v1/runs/batch',
        headers: { 'x-api-key': key, 'content-type': 'application/json', 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Microsecond ISO time, as the SDK writes start times. */
const iso = (ms: number, micros: number) =>
  `${new Date(ms).toISOString().slice(0, 23)}${String(micros % 1000).padStart(3, '0')}Z`;

/** A batch body by template: the driver's CPU goes to the network, not to serialization. */
function batchBody(config: RunsDriverConfig, pad: string): string {
  const perTrace = Math.max(1, Math.floor(config.batchSize / config.tracesPerBatch));
  const runs: string[] = [];
  const now = Date.now();
  for (let t = 0; runs.length < config.batchSize; t++) {
    const root = randomUUID();
    for (let i = 0; i < perTrace && runs.length < config.batchSize; i++) {
      const id = i === 0 ? root : randomUUID();
      const type = i === 0 ? 'chain' : RUN_TYPES[i % RUN_TYPES.length];
      const start = iso(now + i, t * 10 + i);
      const end = iso(now + i + 5, t * 10 + i);
      runs.push(
        `{"id":"${id}","trace_id":"${root}",${i === 0 ? '' : `"parent_run_id":"${root}",`}"name":"${type} ${i}",` +
          `"run_type":"${type}","start_time":"${start}","end_time":"${end}","session_name":"bench",` +
          `"inputs":{"prompt":"${pad}"},"outputs":{"text":"${pad}"},"extra":{"metadata":{"ls_model_name":"bench-model"}},` +
          `"tags":["bench"]}`,
      );
    }
  }
  return `{"post":[${runs.join(',')}],"patch":[]}`;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function runPhase(
  config: RunsDriverConfig,
  phase: RunsDriverPhase,
  send: (m: RunsDriverMessage) => void,
): Promise<RunsPhaseResult> {
  const url = new URL(config.url);
  const probe = batchBody({ ...config, batchSize: 1, tracesPerBatch: 1 }, '');
  const pad = 'x'.repeat(Math.max(0, Math.floor((config.runBytes - Buffer.byteLength(probe) + 30) / 2)));
  const latencies: number[] = [];
  let requests = 0;
  let runs = 0;
  let acked = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  let requestBytes = 0;

  const windowStart = performance.now() + phase.warmupMs;
  const windowEnd = windowStart + phase.durationMs;
  let stopped = false;
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  let cpuUsed: NodeJS.CpuUsage | undefined;
  const started = setTimeout(() => {
    cpuAtStart = process.cpuUsage();
    send({ type: 'window-start', phase: phase.name });
  }, phase.warmupMs);
  const ended = setTimeout(() => {
    cpuUsed = process.cpuUsage(cpuAtStart);
    stopped = true;
    send({ type: 'window-end', phase: phase.name });
  }, phase.warmupMs + phase.durationMs);

  const connection = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (!stopped) {
        const body = Buffer.from(batchBody(config, pad));
        requestBytes ||= body.length;
        const t0 = performance.now();
        let reply: { status: number; body: string };
        try {
          reply = await post(agent, url, config.key, body);
        } catch (error) {
          failures++;
          firstFailure ??= `request error: ${String(error)}`;
          continue;
        }
        const t1 = performance.now();
        const result =
          reply.status === 200 ? (JSON.parse(reply.body) as { created_count: number; errors: unknown[] }) : null;
        if (!result || result.created_count !== config.batchSize || result.errors.length !== 0) {
          failures++;
          firstFailure ??= `HTTP ${reply.status}: ${reply.body.slice(0, 300)}`;
          if (result) acked += result.created_count;
          continue;
        }
        acked += config.batchSize;
        if (t1 >= windowStart && t1 <= windowEnd) {
          requests++;
          runs += config.batchSize;
          latencies.push(t1 - t0);
        }
      }
    } finally {
      agent.destroy();
    }
  };

  await Promise.all(Array.from({ length: phase.connections }, connection));
  clearTimeout(started);
  clearTimeout(ended);
  const sorted = Float64Array.from(latencies).sort();
  const cpu = cpuUsed ?? { user: 0, system: 0 };
  return {
    name: phase.name,
    connections: phase.connections,
    durationMs: phase.durationMs,
    requests,
    runs,
    runsPerSecond: runs / (phase.durationMs / 1000),
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
    ackedRuns: acked,
    failures,
    firstFailure,
    driverCpuPercent: ((cpu.user + cpu.system) / 1000 / phase.durationMs) * 100,
    requestBytes,
  };
}

if (require.main === module) {
  const send = (message: RunsDriverMessage) => process.send?.(message);
  process.once('message', (config: RunsDriverConfig) => {
    void (async () => {
      try {
        for (const phase of config.phases) send({ type: 'result', result: await runPhase(config, phase, send) });
        send({ type: 'done' });
      } catch (error) {
        send({ type: 'error', message: String(error) });
      } finally {
        process.disconnect?.();
      }
    })();
  });
}
