import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDataSourceOptions } from 'src/database/data-source-options';
import { DataSource } from 'typeorm';
import { AppProcess, startAppProcess } from 'test/fixtures/app-process';
import { createTenant, Tenant } from 'test/fixtures/factories';

/**
 * An append is answered 200 only after its transaction committed, so a crash can lose only
 * what was never acknowledged. The real server runs in a child process under a continuous load
 * of batches from concurrent writers and is killed with SIGKILL (no shutdown hook runs); after a
 * restart on the same database every acknowledged event is there exactly once, and re-sending
 * what was in flight completes each log with no duplicate.
 */
const WRITERS = 8;
const BATCH = 25;
/** Acknowledged batches to wait for before the kill, so that it lands in the middle of the load. */
const ACKED_BEFORE_KILL = 40;

interface Batch {
  sessionId: string;
  events: { seq: number; idempotency_key: string; type: string; timestamp: string; payload: Record<string, unknown> }[];
}

interface Writer {
  sessionId: string;
  acknowledged: Batch[];
  /** The batch in flight when the server died: maybe committed, maybe not. */
  unacknowledged: Batch | null;
}

const appendTo = (app: AppProcess, key: string, batch: Batch) =>
  fetch(`${app.url}/api/traces/${batch.sessionId}/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ events: batch.events }),
    signal: AbortSignal.timeout(15_000),
  });

function nextBatch(sessionId: string, from: number): Batch {
  return {
    sessionId,
    events: Array.from({ length: BATCH }, (_, i) => {
      const seq = from + i;
      return {
        seq,
        idempotency_key: `${sessionId}:${seq}`,
        type: 'step',
        timestamp: new Date().toISOString(),
        payload: { name: `step ${seq}`, index: seq, output: { text: 'x'.repeat(200) } },
      };
    }),
  };
}

/** Appends batches one after another until a request fails (the server is gone) or `stop()` says so. */
async function runWriter(app: AppProcess, key: string, writer: Writer, stop: () => boolean): Promise<void> {
  let seq = 1;
  while (!stop()) {
    const batch = nextBatch(writer.sessionId, seq);
    let status: number;
    let body: unknown;
    try {
      const res = await appendTo(app, key, batch);
      status = res.status;
      body = await res.json();
    } catch {
      writer.unacknowledged = batch; // the server died before answering
      return;
    }
    if (status !== 200) throw new Error(`append answered ${status} before the crash: ${JSON.stringify(body)}`);
    expect(body).toMatchObject({ accepted: BATCH, duplicates: 0, rejected: [] });
    writer.acknowledged.push(batch);
    seq += BATCH;
  }
}

describe('durability of acknowledged appends', () => {
  jest.setTimeout(180_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-durability-'));
  const env = {
    DATABASE_URL: process.env.DATABASE_URL!,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '1000000',
  };
  let ds: DataSource;
  let tenant: Tenant;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    app = await startAppProcess(env); // the first start migrates the database
    ds = await new DataSource(buildDataSourceOptions(env.DATABASE_URL, 2)).initialize();
    tenant = await createTenant(ds);
  });
  afterAll(async () => {
    await app?.stop('SIGKILL');
    await ds?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a process killed with SIGKILL during a load of acknowledged batches loses none of the acknowledged events', async () => {
    const running = app!;
    const writers: Writer[] = [];
    for (let i = 0; i < WRITERS; i++) {
      const res = await fetch(`${running.url}/api/traces`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${tenant.key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ agent: { name: 'durability-agent', version: '1.0.0' }, project_id: tenant.project.id }),
      });
      expect(res.status).toBe(201);
      writers.push({ sessionId: ((await res.json()) as { id: string }).id, acknowledged: [], unacknowledged: null });
    }

    // Load, then SIGKILL while every writer still has a request going.
    const deadline = Date.now() + 60_000;
    const acked = () => writers.reduce((n, w) => n + w.acknowledged.length, 0);
    const load = Promise.all(writers.map((w) => runWriter(running, tenant.key, w, () => Date.now() > deadline)));
    while (acked() < ACKED_BEFORE_KILL && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await running.stop('SIGKILL');
    await load;
    expect(acked()).toBeGreaterThanOrEqual(ACKED_BEFORE_KILL);
    expect(writers.every((w) => w.unacknowledged !== null)).toBe(true); // the kill landed mid-load

    app = await startAppProcess(env);

    // Every acknowledged event is stored, exactly once.
    const sessionIds = writers.map((w) => w.sessionId);
    const stored = async () => {
      const rows: { session_id: string; idempotency_key: string; seq: string; n: number }[] = await ds.query(
        `SELECT session_id, idempotency_key, min(seq) AS seq, count(*)::int AS n FROM events
          WHERE session_id = ANY($1::uuid[]) GROUP BY session_id, idempotency_key`,
        [sessionIds],
      );
      return new Map(rows.map((r) => [r.idempotency_key, r]));
    };
    const afterCrash = await stored();
    for (const writer of writers) {
      for (const event of writer.acknowledged.flatMap((b) => b.events)) {
        expect(afterCrash.get(event.idempotency_key)).toMatchObject({
          session_id: writer.sessionId,
          seq: String(event.seq),
          n: 1,
        });
      }
    }
    // Nothing beyond what was sent: the acknowledged batches, plus at most the one in flight.
    const sent = new Set(
      writers
        .flatMap((w) => [...w.acknowledged, ...(w.unacknowledged ? [w.unacknowledged] : [])])
        .flatMap((b) => b.events.map((e) => e.idempotency_key)),
    );
    expect([...afterCrash.keys()].filter((k) => !sent.has(k))).toEqual([]);

    // Re-sending the batches that were in flight completes every log: stored once, or acknowledged as duplicates.
    for (const writer of writers) {
      const batch = writer.unacknowledged!;
      const res = await appendTo(app, tenant.key, batch);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
      expect(body.accepted).toBe(BATCH);
      expect(body.rejected).toEqual([]);
      expect([0, BATCH]).toContain(body.duplicates); // one transaction: all of the batch committed, or none
    }
    const complete = await stored();
    expect([...complete.values()].every((r) => r.n === 1)).toBe(true);
    for (const writer of writers) {
      const expected = [...writer.acknowledged, writer.unacknowledged!].flatMap((b) => b.events);
      const rows: { seq: string; idempotency_key: string }[] = await ds.query(
        'SELECT seq, idempotency_key FROM events WHERE session_id = $1 ORDER BY seq, sub_seq',
        [writer.sessionId],
      );
      expect(rows).toEqual(expected.map((e) => ({ seq: String(e.seq), idempotency_key: e.idempotency_key })));
      const [session]: { event_count: number; last_seq: string }[] = await ds.query(
        'SELECT event_count, last_seq FROM sessions WHERE id = $1',
        [writer.sessionId],
      );
      expect(session).toEqual({ event_count: expected.length, last_seq: String(expected[expected.length - 1].seq) });
    }
  });
});
