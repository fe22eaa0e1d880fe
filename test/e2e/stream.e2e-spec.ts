import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import request from 'supertest';
import { StreamService } from 'src/modules/traces/stream/stream.service';
import { StreamFanout } from 'src/modules/traces/stream/stream-fanout';
import { startAppProcess, type AppProcess } from 'test/fixtures/app-process';
import { createProject, createTenant, expectProblem, type Tenant } from 'test/fixtures/factories';
import { agentEvents, traceClient } from 'test/fixtures/traces';
import { createTestApp, type TestApp, useTestEnvironment } from 'test/setup/test-app';

// Heartbeats every second, so the heartbeat test is quick; a stall of two heartbeats drops a client.
useTestEnvironment({ STREAM_HEARTBEAT_SECONDS: '1', INGEST_MAX_EVENTS_PER_BATCH: '1000' });

interface Frame {
  id?: number;
  event?: string;
  data?: string;
  retry?: number;
  comment?: string;
}

interface StreamEvent {
  session_id: string;
  seq: number;
  stream_seq: number;
  type: string;
  payload: Record<string, unknown>;
}

/** A raw SSE client on node:http: frames as they arrive, and the power to stop reading. */
class SseClient {
  readonly frames: Frame[] = [];
  ended = false;
  private buffer = '';

  private constructor(
    private readonly req: ClientRequest,
    private readonly res: IncomingMessage,
  ) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => this.parse(chunk));
    res.on('end', () => (this.ended = true));
    res.on('close', () => (this.ended = true));
  }

  static open(url: string, headers: Record<string, string>): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { headers: { Accept: 'text/event-stream', ...headers } });
      req.once('response', (res) => resolve(new SseClient(req, res)));
      req.once('error', reject);
      req.end();
    });
  }

  get status(): number {
    return this.res.statusCode ?? 0;
  }

  get headers(): IncomingHttpHeaders {
    return this.res.headers;
  }

  /** The trace events received, in order. */
  events(): StreamEvent[] {
    return this.frames.filter((f) => f.event === 'trace_event').map((f) => JSON.parse(f.data ?? 'null') as StreamEvent);
  }

  ids(): number[] {
    return this.frames.filter((f) => f.event === 'trace_event').map((f) => f.id ?? -1);
  }

  dropped(): { reason: string; resume_after: number } | undefined {
    const frame = this.frames.find((f) => f.event === 'dropped');
    return frame ? (JSON.parse(frame.data ?? 'null') as { reason: string; resume_after: number }) : undefined;
  }

  pause(): void {
    this.res.pause();
  }

  resume(): void {
    this.res.resume();
  }

  close(): void {
    this.req.destroy();
  }

  async waitFor(what: string, done: (client: SseClient) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this)) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what} (${this.events().length} events, ended=${this.ended})`);
      }
      await sleep(20);
    }
  }

  /** Complete frames only: a frame cut by a disconnect is never counted. */
  private parse(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const frame: Frame = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          frame.comment = line.slice(1).trim();
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') frame.id = Number(value);
        else if (field === 'event') frame.event = value;
        else if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
        else if (field === 'retry') frame.retry = Number(value);
      }
      this.frames.push(frame);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

describe('live stream (GET /api/stream)', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.http.address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  const auth = (tenant: Tenant) => ({ Authorization: `Bearer ${tenant.key}` });
  const open = (tenant: Tenant, query = '', headers: Record<string, string> = {}) =>
    SseClient.open(`${base}/api/stream${query}`, { ...auth(tenant), ...headers });
  const newSession = async (tenant: Tenant, projectId = tenant.project.id) =>
    (await traceClient(t, tenant.key).createTrace({ project_id: projectId }).expect(201)).body.id as string;
  const append = async (tenant: Tenant, sessionId: string, events: object[]) => {
    const res = await traceClient(t, tenant.key).append(sessionId, { events });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(events.length);
  };
  const positions = async (workspaceId: string, where = '', params: unknown[] = []): Promise<number[]> => {
    const rows: { stream_seq: string }[] = await t.dataSource.query(
      `SELECT stream_seq FROM events WHERE workspace_id = $1 ${where} ORDER BY stream_seq`,
      [workspaceId, ...params],
    );
    return rows.map((r) => Number(r.stream_seq));
  };
  const increasing = (ids: number[]) => ids.every((id, i) => i === 0 || id > ids[i - 1]);
  const streams = () => t.app.get(StreamService);
  const waitForNoStreams = async () => {
    const deadline = Date.now() + 10_000;
    while (streams().activeConnections > 0 || t.app.get(StreamFanout).listenerCount > 0) {
      if (Date.now() > deadline) throw new Error(`${streams().activeConnections} streams still open`);
      await sleep(20);
    }
  };

  it('backfills then goes live, narrowed by session_id and project_id, never showing another workspace', async () => {
    const tenant = await createTenant(t.dataSource);
    const other = await createTenant(t.dataSource);
    const secondProject = await createProject(t.dataSource, tenant.workspace.id);
    const s1 = await newSession(tenant);
    const s2 = await newSession(tenant, secondProject.id);
    const s3 = await newSession(tenant);
    const foreign = await newSession(other);
    await append(tenant, s1, agentEvents(3, 1));
    await append(tenant, s2, agentEvents(3, 1));
    await append(tenant, s3, agentEvents(2, 1));
    await append(other, foreign, agentEvents(3, 1));

    const bySession = await open(tenant, `?session_id=${s1}&after_seq=0`);
    const byProject = await open(tenant, `?project_id=${tenant.project.id}&after_seq=0`);
    const liveOnly = await open(tenant);
    const theirs = await open(other, '?after_seq=0');
    try {
      for (const c of [bySession, byProject, liveOnly, theirs]) expect(c.status).toBe(200);
      await bySession.waitFor('the backfill of s1', (c) => c.events().length === 3);
      await byProject.waitFor('the backfill of the project', (c) => c.events().length === 5);

      await append(tenant, s1, agentEvents(3, 4));
      await append(tenant, s2, agentEvents(2, 4));
      await append(tenant, s3, agentEvents(1, 3));
      await append(other, foreign, agentEvents(2, 4));

      await bySession.waitFor('the live events of s1', (c) => c.events().length === 6);
      await byProject.waitFor('the live events of the project', (c) => c.events().length === 9);
      await liveOnly.waitFor('the live events of the workspace', (c) => c.events().length === 6);
      await theirs.waitFor("the other workspace's events", (c) => c.events().length === 5);
      await sleep(300); // nothing more arrives

      const ws = tenant.workspace.id;
      expect(bySession.ids()).toEqual(await positions(ws, 'AND session_id = $2', [s1]));
      expect(bySession.events().map((e) => [e.session_id, e.seq])).toEqual([1, 2, 3, 4, 5, 6].map((seq) => [s1, seq]));
      expect(bySession.events().every((e, i) => e.stream_seq === bySession.ids()[i] && e.type === 'step')).toBe(true);
      expect(byProject.ids()).toEqual(await positions(ws, 'AND project_id = $2', [tenant.project.id]));
      expect(new Set(byProject.events().map((e) => e.session_id))).toEqual(new Set([s1, s3]));
      const all = await positions(ws);
      expect(liveOnly.ids()).toEqual(all.slice(8)); // only what was written after it connected
      expect(theirs.ids()).toEqual(await positions(other.workspace.id));
      expect(theirs.events().every((e) => e.session_id === foreign)).toBe(true);
      for (const c of [bySession, byProject, liveOnly, theirs]) expect(increasing(c.ids())).toBe(true);
    } finally {
      for (const c of [bySession, byProject, liveOnly, theirs]) c.close();
    }

    // Another workspace's session or project is not found, and says nothing of its events.
    expectProblem(await request(t.http).get(`/api/stream?session_id=${s1}`).set(auth(other)), 404);
    expectProblem(await request(t.http).get(`/api/stream?project_id=${tenant.project.id}`).set(auth(other)), 404);
    await waitForNoStreams();
  });

  it('resumes with Last-Event-ID and after_seq without a gap or a duplicate while 5 writers append', async () => {
    const tenant = await createTenant(t.dataSource);
    const sessions = await Promise.all(Array.from({ length: 5 }, () => newSession(tenant)));
    const batches = 20;
    const perBatch = 5;
    const total = sessions.length * batches * perBatch;
    const writers = Promise.all(
      sessions.map(async (sessionId) => {
        for (let b = 0; b < batches; b++) await append(tenant, sessionId, agentEvents(perBatch, 1 + b * perBatch));
      }),
    );

    const delivered: number[] = [];
    let last = 0;
    let reconnects = 0;
    try {
      while (delivered.length < total) {
        expect(reconnects).toBeLessThan(100);
        // Alternate the two ways of resuming; the first connection starts from the beginning.
        const client =
          reconnects % 2 === 0
            ? await open(tenant, '', { 'Last-Event-ID': String(last) })
            : await open(tenant, `?after_seq=${last}`);
        expect(client.status).toBe(200);
        const remaining = total - delivered.length;
        await client.waitFor(
          'a part of the stream',
          (c) => c.events().length >= Math.min(40, remaining) || Boolean(c.dropped()),
          30_000,
        );
        client.close(); // mid-way, while the writers go on
        delivered.push(...client.ids());
        last = client.dropped()?.resume_after ?? delivered[delivered.length - 1] ?? last;
        reconnects++;
      }
    } finally {
      await writers;
    }
    expect(reconnects).toBeGreaterThan(2);
    const stored = await positions(tenant.workspace.id);
    expect(stored).toHaveLength(total);
    expect(delivered).toEqual(stored); // exactly the set, each once, in order
    await waitForNoStreams();
  });

  it('sends heartbeat comments, SSE headers and a retry hint', async () => {
    const tenant = await createTenant(t.dataSource);
    const client = await open(tenant);
    try {
      expect(client.status).toBe(200);
      expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(client.headers['cache-control']).toMatch(/no-cache/);
      expect(client.headers['x-accel-buffering']).toBe('no');
      expect(client.headers['x-request-id']).toBeTruthy();
      await client.waitFor('a heartbeat', (c) => c.frames.some((f) => f.comment === 'heartbeat'), 10_000);
      expect(client.frames[0].retry).toBeGreaterThan(0);
    } finally {
      client.close();
    }
    await waitForNoStreams();
  });

  it('drops a client that stops reading with a resumable reason, and ingestion goes on', async () => {
    const tenant = await createTenant(t.dataSource);
    const sessions = await Promise.all(Array.from({ length: 4 }, () => newSession(tenant)));
    await waitForNoStreams();
    const slow = await open(tenant, '?after_seq=0');
    slow.pause();
    const big = (from: number) =>
      agentEvents(10, from).map((e) => ({ ...e, payload: { ...e.payload, output: { text: 'x'.repeat(40_000) } } }));

    let droppedSeen = false;
    const watcher = (async () => {
      const deadline = Date.now() + 120_000;
      while (streams().activeConnections > 0 && Date.now() < deadline) await sleep(20);
      droppedSeen = streams().activeConnections === 0;
      slow.resume(); // read what the server left for it, ending with the drop
    })();
    // About 19 MB of events: far more than the socket buffers hold for a client that reads nothing.
    await Promise.all(
      sessions.map(async (sessionId) => {
        for (let b = 0; b < 12; b++) await append(tenant, sessionId, big(1 + b * 10));
      }),
    );
    await watcher;
    expect(droppedSeen).toBe(true);
    await slow.waitFor('the end of the dropped stream', (c) => c.ended, 30_000);
    const dropped = slow.dropped();
    expect(dropped).toEqual({ reason: 'slow_consumer', resume_after: slow.ids()[slow.ids().length - 1] ?? 0 });
    expect(slow.frames[slow.frames.length - 1].event).toBe('dropped');

    const stored = await positions(tenant.workspace.id);
    expect(stored).toHaveLength(4 * 12 * 10);
    expect(slow.ids().length).toBeLessThan(stored.length);
    const again = await open(tenant, `?after_seq=${dropped?.resume_after}`);
    try {
      await again.waitFor(
        'the rest after resuming',
        (c) => slow.ids().length + c.events().length >= stored.length,
        60_000,
      );
      expect([...slow.ids(), ...again.ids()]).toEqual(stored);
    } finally {
      again.close();
    }
    await waitForNoStreams();
  }, 180_000);

  it('leaves no connection, listener or timer behind when clients hang up, even before their stream starts', async () => {
    const tenant = await createTenant(t.dataSource);
    const sessionId = await newSession(tenant);
    await append(tenant, sessionId, agentEvents(5, 1));
    await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          new Promise<void>((resolve) => {
            const req = httpRequest(`${base}/api/stream?session_id=${sessionId}&after_seq=0`, {
              headers: auth(tenant),
            });
            req.on('error', () => resolve());
            req.on('response', () => {
              req.destroy();
              resolve();
            });
            req.end();
            setTimeout(() => req.destroy(), i); // from before the checks to after the first frames
          }),
      ),
    );
    await waitForNoStreams();
  });

  it('answers 401 without credentials, 422 for bad parameters, 400 for a bad Last-Event-ID, 404 for an unknown session', async () => {
    const tenant = await createTenant(t.dataSource);
    expectProblem(await request(t.http).get('/api/stream'), 401);
    expectProblem(
      await request(t.http)
        .get('/api/stream')
        .set('Authorization', `Bearer tp_live_${'0'.repeat(40)}`),
      401,
    );
    for (const query of [
      'project_id=nope',
      'session_id=123',
      'after_seq=-1',
      'after_seq=abc',
      'after_seq=1.5',
      'unknown=1',
    ]) {
      const res = await request(t.http).get(`/api/stream?${query}`).set(auth(tenant));
      expectProblem(res, 422);
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    for (const lastEventId of ['abc', '-3', '1.5', '12abc']) {
      const res = await request(t.http).get('/api/stream').set(auth(tenant)).set('Last-Event-ID', lastEventId);
      expectProblem(res, 400);
      expect(res.body.type).toMatch(/invalid_last_event_id$/);
    }
    expectProblem(await request(t.http).get(`/api/stream?session_id=${randomUUID()}`).set(auth(tenant)), 404);
    expectProblem(await request(t.http).get(`/api/stream?project_id=${randomUUID()}`).set(auth(tenant)), 404);
  });

  describe('across two API processes on one PostgreSQL', () => {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    let redis = false;
    let a: AppProcess | undefined;
    let b: AppProcess | undefined;

    beforeAll(async () => {
      redis = await redisAnswers(redisUrl);
      const env = (): Record<string, string> => ({
        NODE_ENV: 'test',
        DATABASE_URL: process.env.DATABASE_URL ?? '',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'flightdeck-stream-')),
        LOG_LEVEL: 'warn',
        RATE_LIMIT_MAX: '100000',
        RUN_PROCESSORS: 'false',
        ...(redis ? { REDIS_URL: redisUrl } : {}),
      });
      a = await startAppProcess(env(), { timeoutMs: 90_000 });
      b = await startAppProcess(env(), { timeoutMs: 90_000 });
    }, 200_000);
    afterAll(async () => {
      await Promise.all([a?.stop('SIGTERM'), b?.stop('SIGTERM')]);
    });

    it('delivers to a client of process A, in order and exactly once, the events posted to process B', async () => {
      const tenant = await createTenant(t.dataSource);
      const headers = { ...auth(tenant), 'Content-Type': 'application/json' };
      const created = await fetch(`${b!.url}/api/traces`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ agent: { name: 'remote-agent' }, project_id: tenant.project.id }),
      });
      expect(created.status).toBe(201);
      const sessionId = ((await created.json()) as { id: string }).id;

      // With Redis, B must publish each commit's head on the workspace channel.
      const heads: number[] = [];
      const listener = redis ? new Redis(redisUrl) : undefined;
      if (listener) {
        listener.on('message', (_channel: string, message: string) =>
          heads.push((JSON.parse(message) as { head: number }).head),
        );
        await listener.subscribe(`flightdeck:stream:${tenant.workspace.id}`);
      }
      const client = await SseClient.open(`${a!.url}/api/stream?after_seq=0`, auth(tenant));
      try {
        expect(client.status).toBe(200);
        for (let batch = 0; batch < 10; batch++) {
          const res = await fetch(`${b!.url}/api/traces/${sessionId}/events`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ events: agentEvents(5, 1 + batch * 5) }),
          });
          expect(res.status).toBe(200);
        }
        // Through Redis it is prompt; without it the slow poll of A still finds the events.
        await client.waitFor('the events posted to B', (c) => c.events().length >= 50, redis ? 30_000 : 60_000);
        await sleep(500);
        expect(client.ids()).toEqual(await positions(tenant.workspace.id));
        expect(client.events().map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        if (listener) expect(Math.max(...heads)).toBe(50);
      } finally {
        client.close();
        listener?.disconnect();
      }
    }, 120_000);
  });
});
