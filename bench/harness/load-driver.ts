/**
 * The load loop shared by the benchmarks' drivers (bench/driver.ts, bench/runs-driver.ts), which
 * run as child processes forked by the benchmark so that their CPU is measured apart from the
 * server's. Transpiled to plain JS with them (app-build.ts `transpile`): node:* imports only.
 *
 * A phase is a warm-up, then a measured window: only the answers that arrive inside the window
 * count for throughput and latency, but every acknowledged item counts for the final check of
 * the table. Each connection is a keep-alive socket of its own (an http.Agent with one socket),
 * one request at a time, so `connections` is exactly the server's concurrency.
 */
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** What the driver tells the benchmark (over IPC): the window's bounds, then a result per phase. */
export type DriverMessage<Result> =
  | { type: 'window-start'; phase: string }
  | { type: 'window-end'; phase: string }
  | { type: 'result'; result: Result }
  | { type: 'done' }
  | { type: 'error'; message: string };

export interface PhaseTiming {
  name: string;
  warmupMs: number;
  durationMs: number;
}

export interface Reply {
  status: number;
  body: string;
}

export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The answer checked: `ok` when the server acknowledged the whole batch; otherwise a failure, with
 * what it acknowledged anyway (null: nothing, the batch may be sent again).
 */
export type Verdict = { ok: true } | { ok: false; acked: number | null };

/** One connection's requests, built by the driver (bodies by template, not by serialization). */
export interface LoadConnection {
  next(): LoadRequest;
  check(reply: Reply): Verdict;
  /** The last batch was not acknowledged (request error, or an answer that is not a result). */
  unacknowledged?(): void;
}

export interface PhaseTally {
  /** Answered requests and items inside the measured window. */
  requests: number;
  items: number;
  /** Every acknowledged item of the phase (warm-up and drain included): what must be stored. */
  acked: number;
  /** Request errors, non-200 answers, and 200 answers whose counts differ from what was sent. */
  failures: number;
  firstFailure: string | null;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU the driver itself used during the window, in % of one core. */
  driverCpuPercent: number;
  /** Size of the first request's body. */
  requestBytes: number;
}

/** One request on the connection's own keep-alive socket; the answer read whole. */
export function post(agent: Agent, url: URL, { path, headers, body }: LoadRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) },
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

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Runs one phase: every connection posts until the measured window ends; `batchSize` items a request. */
export async function runLoad(
  serverUrl: string,
  phase: PhaseTiming,
  batchSize: number,
  connections: LoadConnection[],
  send: (message: DriverMessage<never>) => void,
): Promise<PhaseTally> {
  const url = new URL(serverUrl);
  const latencies: number[] = [];
  /** When each measured request was sent, ms into the window: where BENCH_LATENCY_LOG wants the timeline. */
  const sentAt: number[] = [];
  let requests = 0;
  let items = 0;
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

  const drive = async (connection: LoadConnection) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (!stopped) {
        const next = connection.next();
        requestBytes ||= next.body.length;
        const t0 = performance.now();
        let reply: Reply;
        try {
          reply = await post(agent, url, next);
        } catch (error) {
          failures++;
          firstFailure ??= `request error: ${String(error)}`;
          connection.unacknowledged?.();
          continue;
        }
        const t1 = performance.now();
        const verdict = connection.check(reply);
        if (!verdict.ok) {
          failures++;
          firstFailure ??= `HTTP ${reply.status}: ${reply.body.slice(0, 300)}`;
          if (verdict.acked === null) connection.unacknowledged?.();
          else acked += verdict.acked;
          continue;
        }
        acked += batchSize;
        if (t1 >= windowStart && t1 <= windowEnd) {
          requests++;
          items += batchSize;
          latencies.push(t1 - t0);
          sentAt.push(t0 - windowStart);
        }
      }
    } finally {
      agent.destroy();
    }
  };

  await Promise.all(connections.map(drive));
  clearTimeout(started);
  clearTimeout(ended);
  const timeline = process.env.BENCH_LATENCY_LOG;
  if (timeline) {
    const lines = latencies.map((ms, i) => `${sentAt[i].toFixed(1)}\t${ms.toFixed(1)}`);
    // The window's start as epoch ms, to line the timeline up with the server's own traces (GC, logs).
    const startEpochMs = Math.round(Date.now() - (performance.now() - windowStart));
    const header = `# window start ${startEpochMs}\nsent_ms\tlatency_ms\n`;
    writeFileSync(`${timeline}.${phase.name}.tsv`, `${header}${lines.join('\n')}\n`);
  }
  const sorted = Float64Array.from(latencies).sort();
  const cpu = cpuUsed ?? { user: 0, system: 0 };
  return {
    requests,
    items,
    acked,
    failures,
    firstFailure,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
    driverCpuPercent: ((cpu.user + cpu.system) / 1000 / phase.durationMs) * 100,
    requestBytes,
  };
}

/**
 * The driver process's main: waits for its config from the benchmark, runs the phases in turn
 * and reports each, then disconnects (the benchmark waits for `done` or the exit).
 */
export function serveDriver<Config extends { phases: Phase[] }, Phase, Result>(
  runPhase: (config: Config, phase: Phase, send: (m: DriverMessage<Result>) => void) => Promise<Result>,
): void {
  const send = (message: DriverMessage<Result>) => process.send?.(message);
  process.once('message', (config: Config) => {
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
