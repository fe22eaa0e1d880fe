/**
 * The load driver of `npm run bench:ingest`, forked as its own process so that its CPU is
 * measured apart from the server's. Each connection is a keep-alive socket of its own (an
 * http.Agent with one socket) appending batches to its own session with strictly increasing
 * seqs, one request at a time. The parent sends a DriverConfig, and receives `window-start`,
 * `window-end` around each phase's measured window, then a `result` per phase. The loop, the
 * windows and the percentiles are bench/harness/load-driver.ts; this file builds the requests
 * and checks the answers.
 */
import { DriverMessage as LoadDriverMessage, LoadConnection, runLoad, serveDriver } from './harness/load-driver';

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

export type DriverMessage = LoadDriverMessage<PhaseResult>;

/** Builds event JSON by template: the driver's CPU goes to the network, not to serialization. */
export function eventTemplate(eventBytes: number, tag: string) {
  const make = (seq: number, ts: string, pad: string) =>
    `{"seq":${seq},"idempotency_key":"${tag}:${seq}","type":"step","timestamp":"${ts}",` +
    `"payload":{"name":"step ${seq}","index":${seq},"output":{"text":"${pad}"}}}`;
  const probe = make(5000, new Date().toISOString(), ''); // seqs of a 10 s run have about 4 digits
  const pad = 'x'.repeat(Math.max(0, eventBytes - Buffer.byteLength(probe)));
  return (seq: number, ts: string) => make(seq, ts, pad);
}

async function runPhase(
  config: DriverConfig,
  phase: DriverPhase,
  send: (m: DriverMessage) => void,
): Promise<PhaseResult> {
  let eventBytes = 0;
  const headers = { authorization: `Bearer ${config.key}` };
  const connections = phase.sessions.map((sessionId, index): LoadConnection => {
    const make = eventTemplate(config.eventBytes, `${phase.name}-c${index}`);
    const path = `/api/traces/${sessionId}/events`;
    let seq = 0;
    return {
      next: () => {
        const ts = new Date().toISOString();
        const parts: string[] = [];
        for (let i = 0; i < config.batchSize; i++) parts.push(make(++seq, ts));
        eventBytes ||= Math.round(parts.reduce((n, p) => n + Buffer.byteLength(p), 0) / parts.length);
        return { path, headers, body: Buffer.from(`{"events":[${parts.join(',')}]}`) };
      },
      check: (reply) => {
        const result =
          reply.status === 200
            ? (JSON.parse(reply.body) as { accepted: number; duplicates: number; rejected: unknown[] })
            : null;
        if (!result) return { ok: false, acked: null };
        const ok = result.accepted === config.batchSize && result.duplicates === 0 && result.rejected.length === 0;
        return ok ? { ok } : { ok, acked: result.accepted - result.duplicates };
      },
      // The batch was not acknowledged: send the same seqs again.
      unacknowledged: () => (seq -= config.batchSize),
    };
  });
  const tally = await runLoad(config.url, phase, config.batchSize, connections, send);
  const seconds = phase.durationMs / 1000;
  return {
    name: phase.name,
    connections: phase.sessions.length,
    durationMs: phase.durationMs,
    requests: tally.requests,
    events: tally.items,
    eventsPerSecond: tally.items / seconds,
    requestsPerSecond: tally.requests / seconds,
    p50Ms: tally.p50Ms,
    p90Ms: tally.p90Ms,
    p99Ms: tally.p99Ms,
    maxMs: tally.maxMs,
    ackedEvents: tally.acked,
    failures: tally.failures,
    firstFailure: tally.firstFailure,
    driverCpuPercent: tally.driverCpuPercent,
    requestBytes: tally.requestBytes,
    serializedEventBytes: eventBytes,
  };
}

if (require.main === module) serveDriver(runPhase);
