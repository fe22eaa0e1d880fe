/**
 * The load driver of `npm run bench:runs`, forked as its own process (its CPU is measured apart
 * from the server's). Each connection is a keep-alive socket of its own posting, one request at
 * a time, `POST /api/v1/runs/batch` bodies of `batchSize` runs: `tracesPerBatch` new traces, each
 * a root chain run and its llm/tool children, every run complete (start and end, inputs and
 * outputs), as the LangSmith SDK sends a finished trace (a create and its update merged). Every
 * answer is checked: 200, `created_count` equal to the runs sent, no errors.
 *
 * The loop, the windows and the percentiles are bench/harness/load-driver.ts. Plain Node (no
 * packages): bench/runs.ts transpiles it and the harness modules it imports to JS and forks it.
 */
import { randomUUID } from 'node:crypto';
import { DriverMessage, LoadConnection, runLoad, serveDriver } from './harness/load-driver';

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

export type RunsDriverMessage = DriverMessage<RunsPhaseResult>;

const RUN_TYPES = ['llm', 'tool', 'retriever'];

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

async function runPhase(
  config: RunsDriverConfig,
  phase: RunsDriverPhase,
  send: (m: RunsDriverMessage) => void,
): Promise<RunsPhaseResult> {
  const probe = batchBody({ ...config, batchSize: 1, tracesPerBatch: 1 }, '');
  const pad = 'x'.repeat(Math.max(0, Math.floor((config.runBytes - Buffer.byteLength(probe) + 30) / 2)));
  const headers = { 'x-api-key': config.key };
  const connection = (): LoadConnection => ({
    next: () => ({ path: '/api/v1/runs/batch', headers, body: Buffer.from(batchBody(config, pad)) }),
    check: (reply) => {
      const result =
        reply.status === 200 ? (JSON.parse(reply.body) as { created_count: number; errors: unknown[] }) : null;
      if (!result) return { ok: false, acked: null };
      const ok = result.created_count === config.batchSize && result.errors.length === 0;
      return ok ? { ok } : { ok, acked: result.created_count };
    },
  });
  const connections = Array.from({ length: phase.connections }, connection);
  const tally = await runLoad(config.url, phase, config.batchSize, connections, send);
  return {
    name: phase.name,
    connections: phase.connections,
    durationMs: phase.durationMs,
    requests: tally.requests,
    runs: tally.items,
    runsPerSecond: tally.items / (phase.durationMs / 1000),
    p50Ms: tally.p50Ms,
    p90Ms: tally.p90Ms,
    p99Ms: tally.p99Ms,
    maxMs: tally.maxMs,
    ackedRuns: tally.acked,
    failures: tally.failures,
    firstFailure: tally.firstFailure,
    driverCpuPercent: tally.driverCpuPercent,
    requestBytes: tally.requestBytes,
  };
}

if (require.main === module) serveDriver(runPhase);
