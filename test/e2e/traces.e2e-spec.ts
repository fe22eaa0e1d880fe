import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createTenant, expectProblem, joinTenant, Tenant } from 'test/fixtures/factories';
import { agentEvents, traceClient, type TraceClient, withTraceTenant } from 'test/fixtures/traces';
import { type TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment({ INGEST_MAX_EVENTS_PER_BATCH: '500', INGEST_MAX_EVENT_BYTES: '8192' });

describe('trace API: sessions and their event log', () => {
  let t: TestApp;
  let tenant: Tenant;
  let client: TraceClient;
  withTraceTenant((made) => ({ t, tenant, client } = made));

  const newSession = async () =>
    (await client.createTrace({ project_id: tenant.project.id }).expect(201)).body.id as string;
  const countEvents = async (sessionId: string) =>
    Number((await t.dataSource.query('SELECT count(*) AS n FROM events WHERE session_id = $1', [sessionId]))[0].n);

  it('creates a session once: a retry with the same id or idempotency key returns it', async () => {
    const id = randomUUID();
    const first = await client.createTrace({ id, project_id: tenant.project.id }).expect(201);
    expect(first.body).toMatchObject({ id, status: 'running', source: 'sdk', agent: { name: 'support-agent' } });
    await client.createTrace({ id, project_id: tenant.project.id }).expect(200);
    const keyed = await client.createTrace({ idempotency_key: 'run-42', project_id: tenant.project.id }).expect(201);
    const again = await client.createTrace({ idempotency_key: 'run-42', project_id: tenant.project.id }).expect(200);
    expect(again.body.id).toBe(keyed.body.id);
    expectProblem(await client.createTrace({ id, project_id: tenant.project.id, agent: { name: 'other-agent' } }), 409);
    expectProblem(await client.createTrace({ agent: { name: 'x' } }), 422); // no project and no default project
  });

  it('honours the published batch contract and a retry of the whole batch changes nothing', async () => {
    const id = await newSession();
    await client
      .append(id, { seq: 18, idempotency_key: 'trace_curl_1:dev:18', type: 'step', payload: { name: 'a' } })
      .expect(200);
    const batch = {
      events: [
        { seq: 19, idempotency_key: 'trace_curl_1:dev:19', type: 'step', payload: { name: 'b' } },
        { seq: 1, idempotency_key: 'trace_curl_1:dev:1', type: 'step', payload: { name: 'late' } },
      ],
    };
    const res = await client.append(id, batch).expect(200);
    expect(res.body).toMatchObject({
      accepted: 1,
      rejected: [{ index: 1, idempotency_key: 'trace_curl_1:dev:1', reason: 'seq must be monotonic for this session' }],
    });
    const retry = await client.append(id, batch).expect(200);
    expect(retry.body).toMatchObject({ accepted: 1, duplicates: 1, rejected: [{ index: 1 }] });
    expect(await countEvents(id)).toBe(2);
  });

  it('stores every event exactly once under 50 concurrent retries of the same batch', async () => {
    const id = await newSession();
    const batch = { events: agentEvents(20) };
    const answers = await Promise.all(Array.from({ length: 50 }, () => client.append(id, batch)));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(answers.every((a) => a.body.accepted === 20 && a.body.rejected.length === 0)).toBe(true);
    expect(await countEvents(id)).toBe(20);
    const positions = new Set(answers.flatMap((a) => a.body.events.map((e: { stream_seq: number }) => e.stream_seq)));
    expect(positions.size).toBe(20);
  });

  it('answers a single conflicting event with 409 and a single invalid one with 422', async () => {
    const id = await newSession();
    await client.append(id, { seq: 1, idempotency_key: 'k1', type: 'step', payload: { name: 'one' } }).expect(200);
    await client.append(id, { seq: 1, idempotency_key: 'k1', type: 'step', payload: { name: 'one' } }).expect(200);
    expectProblem(
      await client.append(id, { seq: 1, idempotency_key: 'k1', type: 'step', payload: { name: 'other' } }),
      409,
    );
    expectProblem(
      await client.append(id, { seq: 1, idempotency_key: 'k2', type: 'step', payload: { name: 'other' } }),
      409,
    );
    const monotonic = await client.append(id, { seq: 0, idempotency_key: 'k0', type: 'step', payload: { name: 'x' } });
    expectProblem(monotonic, 422);
    expectProblem(
      await client.append(id, { seq: 5, idempotency_key: 'k5', type: 'tool.call', payload: { tool: 'x' } }),
      422,
    );
    expectProblem(await client.append(id, { seq: 5, idempotency_key: 'k5', type: 'nonsense', payload: {} }), 422);
    expect(await countEvents(id)).toBe(1);
  });

  it('settles a retry sent under a higher seq by its stored twin: same content is a duplicate, other content a conflict', async () => {
    const id = await newSession();
    const event = { seq: 1, idempotency_key: 'renumbered', type: 'step', payload: { name: 'one', index: 1 } };
    await client.append(id, event).expect(200);
    const retried = await client.append(id, { ...event, seq: 7, payload: { index: 1, name: 'one' } }).expect(200);
    expect(retried.body).toMatchObject({ accepted: 1, duplicates: 1, events: [{ seq: 1, duplicate: true }] });
    expectProblem(await client.append(id, { ...event, seq: 8, payload: { name: 'two' } }), 409);
    await client.append(id, { seq: 2, idempotency_key: 'next', type: 'step', payload: { name: 'two' } }).expect(200);
    expect(await countEvents(id)).toBe(2);
    expect((await client.get(`/v1/sessions/${id}`).expect(200)).body).toMatchObject({ last_seq: 2, event_count: 2 });
    // In one batch with a new event: the renumbered retry is settled, the new event stored.
    const mixed = await client
      .append(id, {
        events: [
          { ...event, seq: 3 },
          { seq: 4, idempotency_key: 'four', type: 'step', payload: { name: 'four' } },
        ],
      })
      .expect(200);
    expect(mixed.body).toMatchObject({
      accepted: 2,
      duplicates: 1,
      rejected: [],
      events: [
        { index: 0, seq: 1, duplicate: true },
        { index: 1, seq: 4, duplicate: false },
      ],
    });
    expect(await countEvents(id)).toBe(3);
    expect((await client.get(`/v1/sessions/${id}`).expect(200)).body).toMatchObject({ last_seq: 4, event_count: 3 });
  });

  it('lists schema failures of a batch with their reasons and stores the rest', async () => {
    const id = await newSession();
    const res = await client
      .append(id, {
        events: [
          { seq: 1, idempotency_key: 'a', type: 'tool.call', payload: { call_id: 'c', tool: 'search', arguments: {} } },
          { seq: 2, idempotency_key: 'b', type: 'tool.call', payload: { call_id: 'c' } },
          { seq: 3, idempotency_key: 'c', type: 'acme/checkout_started', payload: { cart: 2 } },
          { idempotency_key: 'd', type: 'step', payload: { name: 'no seq' } },
          { seq: 5, idempotency_key: 'e', type: 'step', payload: { name: 'nul \u0000 byte' } },
        ],
      })
      .expect(200);
    expect(res.body.accepted).toBe(2);
    expect(res.body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 3, 4]);
    expect(res.body.rejected[0].reason).toContain('arguments');
    expect(res.body.rejected[1]).toMatchObject({ idempotency_key: 'd', reason: expect.stringContaining('seq') });
  });

  it('answers 413 beyond the events-per-batch and bytes-per-event limits, storing nothing', async () => {
    const id = await newSession();
    expectProblem(await client.append(id, { events: agentEvents(501) }), 413);
    const big = { seq: 1, idempotency_key: 'big', type: 'step', payload: { name: 'x'.repeat(9000) } };
    expectProblem(await client.append(id, { events: [big] }), 413);
    expect(await countEvents(id)).toBe(0);
  });

  it('stores keys, types and payloads byte for byte: quotes, backslashes, braces, commas, unicode', async () => {
    const id = await newSession();
    const awkward = [
      'say "hi"',
      'back\\slash \\" and \\\\',
      '{brace}, comma',
      'NULL',
      '  spaced  ',
      'ünïcødé ✓ 🚀',
      'line\nbreak\ttab',
    ];
    const events = awkward.map((text, i) => ({
      seq: i + 1,
      idempotency_key: `key ${text}`,
      type: i % 2 ? 'step' : 'acme/custom.event',
      timestamp: new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString(),
      payload: { name: text, nested: { text, list: [text, null, 1.5, true] } },
    }));
    expect((await client.append(id, { events }).expect(200)).body.accepted).toBe(awkward.length);
    const stored = (await client.events(id, '?limit=100').expect(200)).body.data;
    expect(
      stored.map((e: Record<string, unknown>) => ({
        seq: e.seq,
        idempotency_key: e.idempotency_key,
        type: e.type,
        timestamp: e.timestamp,
        payload: e.payload,
      })),
    ).toEqual(events);
    // A retry of the same batch finds every event by its key: each one a duplicate.
    expect((await client.append(id, { events }).expect(200)).body.duplicates).toBe(awkward.length);
  });

  it('replays in seq order, never by client timestamp, with cursor paging and after_seq', async () => {
    const id = await newSession();
    const events = agentEvents(30).map((e, i) => ({
      ...e,
      timestamp: new Date(Date.UTC(2030, 0, 1) - i * 1000).toISOString(),
    }));
    await client.append(id, { events: events.slice(10) }).expect(200);
    await client.append(id, { events: events.slice(0, 10) }).expect(200); // refused: below the high-water mark
    const first = await client.events(id, '?limit=7').expect(200);
    expect(first.body.data.map((e: { seq: number }) => e.seq)).toEqual([11, 12, 13, 14, 15, 16, 17]);
    const second = await client.events(id, `?limit=100&cursor=${first.body.next_cursor}`).expect(200);
    expect(second.body.data[0].seq).toBe(18);
    expect(second.body.next_cursor).toBeNull();
    const after = await client.events(id, '?after_seq=28').expect(200);
    expect(after.body.data.map((e: { seq: number }) => e.seq)).toEqual([29, 30]);
  });

  it('puts operator answers and feedback in the same log without taking the agent’s numbers', async () => {
    const id = await newSession();
    await client
      .append(id, { seq: 1, idempotency_key: 'q', type: 'question', payload: { question_id: 'q1', text: 'Refund?' } })
      .expect(200);
    const waiting = client.events(id, '?type=answer&wait_seconds=10');
    await new Promise((r) => setTimeout(r, 200));
    await client.post(`/api/traces/${id}/answers`, { question_id: 'q1', text: 'Yes, refund' }).expect(200);
    const polled = await waiting.expect(200);
    expect(polled.body.data).toEqual([
      expect.objectContaining({
        type: 'answer',
        seq: 1,
        sub_seq: 1,
        payload: expect.objectContaining({ text: 'Yes, refund' }),
      }),
    ]);
    await client.post(`/api/traces/${id}/feedback`, { thumbs: 'up', comment: 'good', target_seq: 1 }).expect(200);
    await client.append(id, { seq: 2, idempotency_key: 's2', type: 'step', payload: { name: 'refund' } }).expect(200);
    const log = await client.events(id).expect(200);
    expect(
      log.body.data.map((e: { type: string; seq: number; sub_seq: number; origin: string }) => [
        e.type,
        e.seq,
        e.sub_seq,
        e.origin,
      ]),
    ).toEqual([
      ['question', 1, 0, 'agent'],
      ['answer', 1, 1, 'system'],
      ['feedback', 1, 2, 'system'],
      ['step', 2, 0, 'agent'],
    ]);
  });

  it('decides again when another process appended to the session since this one last did', async () => {
    const id = await newSession();
    await client.append(id, { seq: 1, idempotency_key: 'here-1', type: 'step', payload: { name: 'one' } }).expect(200);
    // Another replica stores seq 2 the way its writer would: stream position, event and marks.
    const head = await t.dataSource.transaction(async (m) => {
      const [{ head }] = await m.query(
        `WITH moved AS (UPDATE workspace_streams SET head = head + 1 WHERE workspace_id = $1 RETURNING head)
         SELECT head::int AS head FROM moved`,
        [tenant.workspace.id],
      );
      await m.query(
        `INSERT INTO events (session_id, seq, sub_seq, workspace_id, project_id, stream_seq, idempotency_key, type,
                             origin, payload)
         VALUES ($1, 2, 0, $2, $3, $4, 'there-2', 'step', 'agent', '{"name": "two"}')`,
        [id, tenant.workspace.id, tenant.project.id, head],
      );
      await m.query('UPDATE sessions SET last_seq = 2, event_count = event_count + 1 WHERE id = $1', [id]);
      return head as number;
    });

    // This process last saw the session at seq 1: acting on that would store a second event at seq 2.
    const taken = await client.append(id, { seq: 2, idempotency_key: 'here-2', type: 'step', payload: { name: 'x' } });
    expectProblem(taken, 409);
    expect(taken.body.detail).toContain('seq 2 is already taken');
    const next = await client
      .append(id, { seq: 3, idempotency_key: 'here-3', type: 'step', payload: { name: 'three' } })
      .expect(200);
    expect(next.body.events).toMatchObject([{ seq: 3, stream_seq: head + 1 }]);
    expect((await client.get(`/v1/sessions/${id}`).expect(200)).body).toMatchObject({ last_seq: 3, event_count: 3 });
  });

  it('ends a session by session.end event or by an explicit call', async () => {
    const byEvent = await newSession();
    await client
      .append(byEvent, {
        seq: 1,
        idempotency_key: 'end',
        type: 'session.end',
        payload: { status: 'failed', error: 'boom' },
      })
      .expect(200);
    const ended = await client.get(`/v1/sessions/${byEvent}`).expect(200);
    expect(ended.body).toMatchObject({ status: 'failed', event_count: 1, last_seq: 1, ended_at: expect.any(String) });
    const byCall = await newSession();
    await client.post(`/api/traces/${byCall}/end`, { status: 'completed' }).expect(200);
    expect((await client.get(`/api/traces/${byCall}`).expect(200)).body.status).toBe('completed');
  });

  it('lists sessions with filters and cursor paging, and agents with their versions', async () => {
    await client
      .createTrace({ project_id: tenant.project.id, agent: { name: 'billing-agent', version: '2.0' } })
      .expect(201);
    await client
      .createTrace({ project_id: tenant.project.id, agent: { name: 'billing-agent', version: '2.1' } })
      .expect(201);
    const filtered = await client.get('/v1/sessions?agent=billing-agent&limit=1').expect(200);
    expect(filtered.body.data).toHaveLength(1);
    expect(filtered.body.next_cursor).toEqual(expect.any(String));
    const next = await client.get(`/api/sessions?agent=billing-agent&cursor=${filtered.body.next_cursor}`).expect(200);
    expect(next.body.data).toHaveLength(1);
    expect(next.body.data[0].id).not.toBe(filtered.body.data[0].id);
    const agents = await client.get('/v1/agents').expect(200);
    expect(agents.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'billing-agent', versions: ['2.0', '2.1'] })]),
    );
    expectProblem(await client.get('/v1/sessions?status=bogus'), 422);
  });

  it('hides other workspaces (404) and keeps pinned keys to their project (403)', async () => {
    const id = await newSession();
    const other = traceClient(t, (await createTenant(t.dataSource)).key);
    expectProblem(await other.get(`/v1/sessions/${id}`), 404);
    expectProblem(await other.events(id), 404);
    expectProblem(await other.append(id, { seq: 1, idempotency_key: 'x', type: 'step', payload: { name: 'x' } }), 404);
    expectProblem(await other.post(`/api/traces/${id}/answers`, { question_id: 'q', text: 'hi' }), 404);
    expect((await other.get('/api/sessions').expect(200)).body.data.map((s: { id: string }) => s.id)).not.toContain(id);

    const elsewhere = await request(t.http)
      .post('/v1/projects')
      .set('X-API-Key', tenant.key)
      .send({ name: 'E', slug: `e-${id.slice(0, 6)}` });
    const pinned = traceClient(t, (await joinTenant(t.dataSource, tenant, 'member', { pinned: true })).key);
    expectProblem(await pinned.createTrace({ project_id: elsewhere.body.id }), 403);
    expectProblem(
      await pinned.append((await client.createTrace({ project_id: elsewhere.body.id }).expect(201)).body.id, {
        seq: 1,
        idempotency_key: 'x',
        type: 'step',
        payload: { name: 'x' },
      }),
      403,
    );
    await pinned.createTrace({}).expect(201);
  });

  it('deletes a session’s events with its project, and an append to it afterwards is 404', async () => {
    const project = await request(t.http)
      .post('/v1/projects')
      .set('X-API-Key', tenant.key)
      .send({ name: 'Doomed', slug: `doomed-${randomUUID().slice(0, 8)}` })
      .expect(201);
    const id = (await client.createTrace({ project_id: project.body.id }).expect(201)).body.id as string;
    await client.append(id, { events: agentEvents(5) }).expect(200);
    expect(await countEvents(id)).toBe(5);

    await request(t.http).delete(`/v1/projects/${project.body.id}`).set('X-API-Key', tenant.key).expect(204);
    expect(await countEvents(id)).toBe(0);
    // The append path remembered where this session lives; the write itself finds it gone.
    expectProblem(await client.append(id, { events: agentEvents(1) }), 404);
    expect(await countEvents(id)).toBe(0);
  });
});
