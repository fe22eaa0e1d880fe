/**
 * The load driver of `npm run bench:ingest`, forked as its own process so that its CPU is
 * measured apart from the server's. Each connection is a keep-alive socket of its own (an
 * http.Agent with one socket) appending batches to its own session with strictly increasing
 * seqs, one request at a time. The parent sends a DriverConfig, and receives `window-start`,
 * `window-end` around each phase's measured window, then a `result` per phase.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface DriverPhase {
  name: string;
  /** One session id per connection. */
  sessions: string[];
  warmupMs: number;
  durationMs: number;
}

export interface DriverConfig {
  url: string;
  key: string;
  batchSize: number;
  /** Approximate size of one serialized event, in bytes. */
  eventBytes: number;
  phases: DriverPhase[];
}

export interface PhaseResult {
  name: string;
  connections: number;
  /** Measured window. */
  durationMs: number;
  requests: number;
  events: number;
  eventsPerSecond: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Every acknowledged event of the phase (warm-up and drain included): what must be in the table. */
  ackedEvents: number;
  /** Non-200 answers, or 200 answers whose counts differ from what was sent. */
  failures: number;
  firstFailure: string | null;
  /** CPU the driver itself used during the window, in % of one core. */
  driverCpuPercent: number;
  /** Of the first request: its body, and its events' average serialized size. */
  requestBytes: number;
  serializedEventBytes: number;
}

export type DriverMessage =
  | { type: 'window-start'; phase: string }
  | { type: 'window-end'; phase: string }
  | { type: 'result'; result: PhaseResult }
  | { type: 'done' }
  | { type: 'error'; message: string };

interface Reply {
  status: number;
  body: string;
}

function post(agent: Agent, url: URL, path: string, headers: Record<string, string>, body: Buffer): Promise<Reply> {
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

/** Builds event JSON by template: the driver's CPU goes to the network, not to serialization. */
function eventTemplate(eventBytes: number, tag: string) {
  const make = (seq: number, ts: string, pad: string) =>
    `{"seq":${seq},"idempotency_key":"${tag}:${seq}","type":"step","timestamp":"${ts}",` +
    `"payload":{"name":"step ${seq}","index":${seq},"output":{"text":"${pad}"}}}`;
  const probe = make(5000, new Date().toISOString(), ''); // seqs of a 10 s run have about 4 digits
  const pad = 'x'.repeat(Math.max(0, eventBytes - Buffer.byteLength(probe)));
  return (seq: number, ts: string) => make(seq, ts, pad);
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function runPhase(
  config: DriverConfig,
  phase: DriverPhase,
  send: (m: DriverMessage) => void,
): Promise<PhaseResult> {
  const url = new URL(config.url);
  const headers = { authorization: `Bearer ${config.key}` };
  const latencies: number[] = [];
  let requests = 0;
  let events = 0;
  let acked = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  let requestBytes = 0;
  let eventBytes = 0;

  const start = performance.now();
  const windowStart = start + phase.warmupMs;
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

  const connection = async (sessionId: string, index: number) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const make = eventTemplate(config.eventBytes, `${phase.name}-c${index}`);
    const path = `/api/traces/${sessionId}/events`;
    let seq = 0;
    try {
      while (!stopped) {
        const ts = new Date().toISOString();
        const parts: string[] = [];
        for (let i = 0; i < config.batchSize; i++) parts.push(make(++seq, ts));
        const body = Buffer.from(`{"events":[${parts.join(',')}]}`);
        if (!requestBytes) {
          requestBytes = body.length;
          eventBytes = Math.round(sum(parts.map((p) => Buffer.byteLength(p))) / parts.length);
        }
        const t0 = performance.now();
        let reply: Reply;
        try {
          reply = await post(agent, url, path, headers, body);
        } catch (error) {
          failures++;
          firstFailure ??= `request error: ${String(error)}`;
          seq -= config.batchSize; // the batch was not acknowledged: send the same seqs again
          continue;
        }
        const t1 = performance.now();
        const result =
          reply.status === 200
            ? (JSON.parse(reply.body) as { accepted: number; duplicates: number; rejected: unknown[] })
            : null;
        if (
          !result ||
          result.accepted !== config.batchSize ||
          result.duplicates !== 0 ||
          result.rejected.length !== 0
        ) {
          failures++;
          firstFailure ??= `HTTP ${reply.status}: ${reply.body.slice(0, 300)}`;
          if (!result) seq -= config.batchSize;
          if (result) acked += result.accepted - result.duplicates;
          continue;
        }
        acked += config.batchSize;
        if (t1 >= windowStart && t1 <= windowEnd) {
          requests++;
          events += config.batchSize;
          latencies.push(t1 - t0);
        }
      }
    } finally {
      agent.destroy();
    }
  };

  await Promise.all(phase.sessions.map((id, i) => connection(id, i)));
  clearTimeout(started);
  clearTimeout(ended);
  const sorted = Float64Array.from(latencies).sort();
  const seconds = phase.durationMs / 1000;
  const cpu = cpuUsed ?? { user: 0, system: 0 };
  return {
    name: phase.name,
    connections: phase.sessions.length,
    durationMs: phase.durationMs,
    requests,
    events,
    eventsPerSecond: events / seconds,
    requestsPerSecond: requests / seconds,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
    ackedEvents: acked,
    failures,
    firstFailure,
    driverCpuPercent: ((cpu.user + cpu.system) / 1000 / phase.durationMs) * 100,
    requestBytes,
    serializedEventBytes: eventBytes,
  };
}

if (require.main === module) {
  const send = (message: DriverMessage) => process.send?.(message);
  process.once('message', (config: DriverConfig) => {
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
