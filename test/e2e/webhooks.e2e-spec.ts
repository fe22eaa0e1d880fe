import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { overrideEnvironment } from 'src/config/configuration';
import { WebhookPublisher } from 'src/modules/incidents/webhooks/webhook-publisher';
import { captureStdout } from 'test/fixtures/capture-stdout';
import { countRows, createTenant, expectProblem, joinTenant, type Tenant } from 'test/fixtures/factories';
import { recordFailingSession } from 'test/fixtures/analysis';
import { createSharedModel, waitForExample } from 'test/fixtures/examples';
import { traceClient } from 'test/fixtures/traces';
import { eventually, startWebhookReceiver, verifyWebhook, type WebhookReceiver } from 'test/fixtures/webhook-receiver';
import { createTestApp, type TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment({
  WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOKS_RETRY_BASE_DELAY_MS: '40',
  WEBHOOKS_MAX_ATTEMPTS: '4',
  WEBHOOKS_TIMEOUT_MS: '1500',
  LOG_LEVEL: 'info',
});
jest.setTimeout(60_000);

const TABLES = ['webhooks', 'webhook_deliveries', 'webhook_delivery_attempts', 'audit_log'];

interface Webhook {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  description: string | null;
  secret_hint: string;
  secret?: string;
}
interface Attempt {
  attempt: number;
  run: number;
  status_code: number | null;
  succeeded: boolean;
  duration_ms: number;
  error: string | null;
  response_body_excerpt: string | null;
  next_retry_at: string | null;
}
interface Delivery {
  id: string;
  event_id: string;
  event_type: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempt_count: number;
  last_status_code: number | null;
  payload: { id: string; type: string; data: Record<string, unknown> };
  attempts: Attempt[];
}

const as = (t: TestApp, key: string) => ({
  get: (path: string) => request(t.http).get(path).set('X-API-Key', key),
  post: (path: string, body?: object) => {
    const req = request(t.http).post(path).set('X-API-Key', key);
    return body ? req.send(body) : req;
  },
  patch: (path: string, body: object) => request(t.http).patch(path).set('X-API-Key', key).send(body),
  delete: (path: string) => request(t.http).delete(path).set('X-API-Key', key),
});

/** Waits until the delivery is no longer pending, and returns it from the delivery log. */
const settled = (t: TestApp, key: string, webhookId: string, deliveryId: string) =>
  eventually(async () => {
    const res = await as(t, key).get(`/v1/webhooks/${webhookId}/deliveries/${deliveryId}`).expect(200);
    const delivery = res.body as Delivery;
    return delivery.status === 'pending' ? undefined : delivery;
  });

describe('outbound webhooks', () => {
  let t: TestApp;
  let owner: Tenant;
  let other: Tenant;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await createTestApp();
    owner = await createTenant(t.dataSource, { role: 'owner' });
    other = await createTenant(t.dataSource, { role: 'owner' });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  const api = () => as(t, owner.key);
  async function createWebhook(
    path: string,
    body: Record<string, unknown> = {},
  ): Promise<Webhook & { secret: string }> {
    const res = await api()
      .post('/v1/webhooks', { url: receiver.url(path), events: ['session.failed', 'incident.opened'], ...body })
      .expect(201);
    return res.body as Webhook & { secret: string };
  }
  async function ping(webhook: { id: string }): Promise<Delivery> {
    return (await api().post(`/v1/webhooks/${webhook.id}/test`).expect(202)).body as Delivery;
  }

  it('answers 401 without credentials', async () => {
    expectProblem(await request(t.http).get('/v1/webhooks'), 401);
    expectProblem(
      await request(t.http)
        .post('/v1/webhooks')
        .send({ url: receiver.url('/x'), events: ['ping'] }),
      401,
    );
  });

  it('lets only admins manage or read webhooks (403 for members and viewers) and stores nothing then', async () => {
    const before = await countRows(t.dataSource, TABLES);
    for (const role of ['member', 'viewer'] as const) {
      const { key } = await joinTenant(t.dataSource, owner, role);
      const body = { url: receiver.url('/denied'), events: ['session.failed'] };
      expectProblem(await as(t, key).post('/v1/webhooks', body), 403);
      expectProblem(await as(t, key).get('/v1/webhooks'), 403);
    }
    const admin = await joinTenant(t.dataSource, owner, 'admin');
    await as(t, admin.key).get('/v1/webhooks').expect(200);
    expect(await countRows(t.dataSource, TABLES)).toEqual(before);
  });

  it('refuses an invalid URL or an unknown event type with 422 and stores nothing', async () => {
    const before = await countRows(t.dataSource, TABLES);
    const bodies = [
      { url: 'not a url', events: ['session.failed'] },
      { url: 'ftp://127.0.0.1/hook', events: ['session.failed'] },
      { url: receiver.url('/x'), events: ['session.exploded'] },
      { url: receiver.url('/x'), events: [] },
      { url: receiver.url('/x'), events: ['ping'] },
      { url: receiver.url('/x'), events: ['session.failed'], secret: 'whsec_mine' },
    ];
    for (const body of bodies) {
      const res = await api().post('/v1/webhooks', body);
      expectProblem(res, 422);
      expect((res.body as { errors: { field: string }[] }).errors.length).toBeGreaterThan(0);
    }
    const unknownEvent = await api().post('/v1/webhooks', bodies[2]);
    expect(JSON.stringify(unknownEvent.body)).toContain('events');
    expect(await countRows(t.dataSource, TABLES)).toEqual(before);
  });

  it('creates, reads, lists, updates and deletes a webhook; the secret is shown once and stored encrypted', async () => {
    const created = await createWebhook('/crud', { description: 'pager' });
    expect(created).toMatchObject({
      active: true,
      description: 'pager',
      events: ['session.failed', 'incident.opened'],
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.secret_hint).toBe(`whsec_...${created.secret.slice(-4)}`);

    const read = await api().get(`/v1/webhooks/${created.id}`).expect(200);
    const list = await api().get('/v1/webhooks?limit=1000').expect(200);
    expect(read.body).not.toHaveProperty('secret');
    expect((list.body as { data: Webhook[] }).data.map((w) => w.id)).toContain(created.id);
    for (const text of [read.text, list.text]) expect(text).not.toContain(created.secret.slice(6));
    const [stored] = await t.dataSource.query<{ secret_ciphertext: Buffer }[]>(
      'SELECT secret_ciphertext FROM webhooks WHERE id = $1',
      [created.id],
    );
    expect(stored.secret_ciphertext.includes(Buffer.from(created.secret.slice(6)))).toBe(false);

    const updated = await api()
      .patch(`/v1/webhooks/${created.id}`, { events: ['incident.resolved'], active: false, description: null })
      .expect(200);
    expect(updated.body).toMatchObject({ events: ['incident.resolved'], active: false, description: null });
    expect(updated.body).not.toHaveProperty('secret');
    expectProblem(await api().patch(`/v1/webhooks/${created.id}`, { events: ['nope'] }), 422);
    const inactive = await api().get('/v1/webhooks?active=false&limit=1000').expect(200);
    expect((inactive.body as { data: Webhook[] }).data.map((w) => w.id)).toContain(created.id);

    await api().delete(`/v1/webhooks/${created.id}`).expect(204);
    expectProblem(await api().get(`/v1/webhooks/${created.id}`), 404);
    const [audit] = await t.dataSource.query<{ actions: string[] }[]>(
      `SELECT array_agg(action ORDER BY created_at) AS actions FROM audit_log WHERE target_id = $1`,
      [created.id],
    );
    expect(audit.actions).toEqual(['webhook.created', 'webhook.updated', 'webhook.deleted']);
  });

  it('delivers a signed ping whose signature verifies with the secret of the create response', async () => {
    const webhook = await createWebhook('/signed');
    const queued = await ping(webhook);
    expect(queued).toMatchObject({ event_type: 'ping', status: 'pending', attempts: [] });

    const delivery = await settled(t, owner.key, webhook.id, queued.id);
    expect(delivery).toMatchObject({ status: 'succeeded', attempt_count: 1, last_status_code: 200 });
    const [got] = receiver.on('/signed');
    expect(verifyWebhook(webhook.secret, got)).toBe(true);
    expect(verifyWebhook(`${webhook.secret}x`, got)).toBe(false);
    expect(verifyWebhook(webhook.secret, { ...got, raw: got.raw.replace('ping', 'pong') })).toBe(false);
    expect(got.headers).toMatchObject({
      'content-type': 'application/json',
      'flightdeck-event': 'ping',
      'flightdeck-delivery': queued.id,
      'flightdeck-attempt': '1',
    });
    expect(Math.abs(Number(got.headers['flightdeck-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
    expect(got.body).toMatchObject({ id: queued.event_id, type: 'ping', workspace_id: owner.workspace.id });
  });

  it('retries a receiver that fails twice: the third attempt succeeds and the log shows all three', async () => {
    const big = 'x'.repeat(10_000);
    receiver.script('/flaky', [{ status: 500, body: big }, { status: 500, body: 'still down' }, 200]);
    const webhook = await createWebhook('/flaky');
    const queued = await ping(webhook);

    const delivery = await settled(t, owner.key, webhook.id, queued.id);
    const calls = receiver.on('/flaky');
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.headers['flightdeck-delivery'])).toEqual([queued.id, queued.id, queued.id]);
    expect(calls.map((c) => c.headers['flightdeck-attempt'])).toEqual(['1', '2', '3']);
    expect(calls.every((c) => verifyWebhook(webhook.secret, c))).toBe(true);
    expect(new Set(calls.map((c) => c.raw)).size).toBe(1);

    expect(delivery).toMatchObject({ status: 'succeeded', attempt_count: 3, last_status_code: 200 });
    expect(delivery.attempts.map((a) => [a.attempt, a.status_code, a.succeeded])).toEqual([
      [1, 500, false],
      [2, 500, false],
      [3, 200, true],
    ]);
    const [first, second, third] = delivery.attempts;
    expect(first.response_body_excerpt).toHaveLength(4096);
    expect(second.response_body_excerpt).toBe('still down');
    expect(first.error).toContain('500');
    expect(first.next_retry_at).not.toBeNull();
    expect(second.next_retry_at).not.toBeNull();
    expect(third).toMatchObject({ next_retry_at: null, error: null, response_body_excerpt: 'answered 200' });
    expect(delivery.attempts.every((a) => a.duration_ms >= 0)).toBe(true);

    const log = await api().get(`/v1/webhooks/${webhook.id}/deliveries`).expect(200);
    expect((log.body as { data: Delivery[] }).data.map((d) => [d.id, d.attempts.length])).toEqual([[queued.id, 3]]);
  });

  it('marks a delivery failed once its attempts are spent, never follows redirects, and redelivers it on request', async () => {
    receiver.script('/down', [503, 503, 503, 503, 200]);
    receiver.script('/moved', [{ status: 302, headers: { location: '/elsewhere' } }]);
    const down = await createWebhook('/down');
    const moved = await createWebhook('/moved');
    const [downPing, movedPing] = [await ping(down), await ping(moved)];

    const failed = await settled(t, owner.key, down.id, downPing.id);
    expect(failed).toMatchObject({ status: 'failed', attempt_count: 4, last_status_code: 503 });
    expect(failed.attempts.at(-1)!.next_retry_at).toBeNull();
    const redirected = await settled(t, owner.key, moved.id, movedPing.id);
    expect(redirected.attempts.every((a) => a.status_code === 302)).toBe(true);
    expect(receiver.on('/elsewhere')).toHaveLength(0);

    const again = await api().post(`/v1/webhooks/${down.id}/deliveries/${downPing.id}/redeliver`).expect(202);
    expect(again.body).toMatchObject({ id: downPing.id });
    const redelivered = await settled(t, owner.key, down.id, downPing.id);
    expect(redelivered).toMatchObject({ status: 'succeeded', attempt_count: 5 });
    expect(redelivered.attempts.at(-1)).toMatchObject({ attempt: 5, run: 2, status_code: 200 });
    expect(receiver.on('/down').at(-1)!.headers['flightdeck-delivery']).toBe(downPing.id);
  });

  it('refuses to redeliver a delivery that is still being attempted (409)', async () => {
    receiver.script('/slow', [{ status: 200, delayMs: 700 }]);
    const webhook = await createWebhook('/slow');
    const queued = await ping(webhook);
    const res = await api().post(`/v1/webhooks/${webhook.id}/deliveries/${queued.id}/redeliver`);
    expectProblem(res, 409);
    expect(res.body).toMatchObject({ type: expect.stringContaining('delivery_in_progress') });
    await settled(t, owner.key, webhook.id, queued.id);
  });

  it('signs with the new secret after a rotation, which is shown once', async () => {
    const webhook = await createWebhook('/rotated');
    const rotated = await api().post(`/v1/webhooks/${webhook.id}/rotate-secret`).expect(200);
    const secret = (rotated.body as { secret: string }).secret;
    expect(secret).not.toBe(webhook.secret);
    expect((rotated.body as Webhook).secret_hint).toBe(`whsec_...${secret.slice(-4)}`);
    const queued = await ping(webhook);
    await settled(t, owner.key, webhook.id, queued.id);
    const [got] = receiver.on('/rotated');
    expect(verifyWebhook(secret, got)).toBe(true);
    expect(verifyWebhook(webhook.secret, got)).toBe(false);
  });

  it('publishes an event to the active webhooks subscribed to it, one delivery each with the same event id', async () => {
    const ws = await createTenant(t.dataSource);
    const create = (path: string, body: object) =>
      as(t, ws.key)
        .post('/v1/webhooks', { url: receiver.url(path), ...body })
        .expect(201)
        .then((r) => r.body as Webhook & { secret: string });
    const a = await create('/pub-a', { events: ['incident.opened'] });
    const b = await create('/pub-b', { events: ['incident.opened', 'incident.resolved'] });
    await create('/pub-off', { events: ['incident.opened'], active: false });
    await create('/pub-other', { events: ['incident.resolved'] });
    const publisher = t.app.get(WebhookPublisher);

    expect(await publisher.publish(ws.workspace.id, 'incident.opened', { incident: { id: 'inc-1' } })).toBe(2);
    expect(await publisher.publish(other.workspace.id, 'incident.opened', { incident: { id: 'inc-2' } })).toBe(0);
    const [gotA, gotB] = await eventually(() => {
      const [x, y] = [receiver.on('/pub-a')[0], receiver.on('/pub-b')[0]];
      return x && y ? [x, y] : undefined;
    });
    expect(verifyWebhook(a.secret, gotA) && verifyWebhook(b.secret, gotB)).toBe(true);
    expect(gotA.body).toMatchObject({ type: 'incident.opened', data: { incident: { id: 'inc-1' } } });
    expect(gotA.body.id).toBe(gotB.body.id);
    expect(gotA.headers['flightdeck-delivery']).not.toBe(gotB.headers['flightdeck-delivery']);
    expect(receiver.on('/pub-off')).toHaveLength(0);
    expect(receiver.on('/pub-other')).toHaveLength(0);
  });

  it('sends session.failed when a session ends failed, and nothing when one completes', async () => {
    const ws = await createTenant(t.dataSource);
    const webhook = (
      await as(t, ws.key)
        .post('/v1/webhooks', { url: receiver.url('/sessions'), events: ['session.failed'] })
        .expect(201)
    ).body as Webhook & { secret: string };
    const traces = traceClient(t, ws.key);
    const end = async (status: 'completed' | 'failed') => {
      const id = (await traces.createTrace({ project_id: ws.project.id }).expect(201)).body.id as string;
      const event = { seq: 1, idempotency_key: `${id}:end`, type: 'session.end', payload: { status } };
      await traces.append(id, { events: [event] }).expect((res) => expect(res.status).toBeLessThan(300));
      return id;
    };
    await end('completed');
    const failedId = await end('failed');

    const got = await eventually(() => receiver.on('/sessions')[0]);
    expect(verifyWebhook(webhook.secret, got)).toBe(true);
    expect(got.headers['flightdeck-event']).toBe('session.failed');
    expect(got.body.data).toMatchObject({
      session: { id: failedId, status: 'failed', project_id: ws.project.id, agent_name: 'support-agent' },
    });
    const log = await as(t, ws.key).get(`/v1/webhooks/${webhook.id}/deliveries?event_type=session.failed`).expect(200);
    expect((log.body as { data: Delivery[] }).data).toHaveLength(1);
    expect(receiver.on('/sessions')).toHaveLength(1);
  });

  it('sends incident.opened when an analysis opens an incident and incident.resolved when it is resolved', async () => {
    const ws = await createTenant(t.dataSource);
    const webhook = (
      await as(t, ws.key)
        .post('/v1/webhooks', { url: receiver.url('/incidents'), events: ['incident.opened', 'incident.resolved'] })
        .expect(201)
    ).body as Webhook & { secret: string };
    const sessionId = await recordFailingSession(t, ws, { tool: 'refund', error: 'gateway timeout', end: false });
    await as(t, ws.key).post(`/api/traces/${sessionId}/analyze`, {}).expect(200);

    const opened = await eventually(() => receiver.on('/incidents')[0]);
    expect(verifyWebhook(webhook.secret, opened)).toBe(true);
    expect(opened.headers['flightdeck-event']).toBe('incident.opened');
    const incident = opened.body.data.incident as { id: string; status: string };
    expect(incident.status).toBe('open');

    await as(t, ws.key).patch(`/api/incidents/${incident.id}`, { status: 'resolved' }).expect(200);
    const resolved = await eventually(() => receiver.on('/incidents')[1]);
    expect(resolved.headers['flightdeck-event']).toBe('incident.resolved');
    expect(resolved.body.data).toMatchObject({ incident: { id: incident.id, status: 'resolved' }, reason: 'manual' });
  });

  it('sends example.ready when a training example has been built', async () => {
    const ws = await createTenant(t.dataSource);
    await as(t, ws.key)
      .post('/v1/webhooks', { url: receiver.url('/examples'), events: ['example.ready'] })
      .expect(201);
    const traces = traceClient(t, ws.key);
    const sessionId = (await traces.createTrace({ project_id: ws.project.id }).expect(201)).body.id as string;
    const events = [
      { seq: 1, type: 'message', payload: { role: 'user', content: 'hello' } },
      { seq: 2, type: 'message', payload: { role: 'assistant', content: 'hi there' } },
    ].map((e) => ({ ...e, idempotency_key: `${sessionId}:${e.seq}` }));
    await traces.append(sessionId, { events }).expect(200);
    const model = await createSharedModel(t.dataSource, ws.workspace.id);
    const queued = await as(t, ws.key)
      .post('/v1/examples', { session_id: sessionId, model_id: model.id, model_configuration: {} })
      .expect(202);
    expect((await waitForExample(t, ws.key, queued.body.id as string)).status).toBe('ready');

    const got = await eventually(() => receiver.on('/examples')[0]);
    expect(got.headers['flightdeck-event']).toBe('example.ready');
    expect(got.body.data).toMatchObject({ example: { id: queued.body.id, session_id: sessionId, status: 'ready' } });
  });

  it("answers 404 for another workspace's webhook and its deliveries, and lists none of them", async () => {
    const webhook = await createWebhook('/mine');
    const queued = await ping(webhook);
    await settled(t, owner.key, webhook.id, queued.id);
    const before = await countRows(t.dataSource, TABLES);
    const intruder = as(t, other.key);
    const base = `/v1/webhooks/${webhook.id}`;
    for (const res of [
      await intruder.get(base),
      await intruder.patch(base, { active: false }),
      await intruder.delete(base),
      await intruder.post(`${base}/rotate-secret`),
      await intruder.post(`${base}/test`),
      await intruder.get(`${base}/deliveries`),
      await intruder.get(`${base}/deliveries/${queued.id}`),
      await intruder.post(`${base}/deliveries/${queued.id}/redeliver`),
    ]) {
      expectProblem(res, 404);
    }
    expect(await countRows(t.dataSource, TABLES)).toEqual(before);
    const list = await intruder.get('/v1/webhooks').expect(200);
    expect(list.text).not.toContain(webhook.id);
    expectProblem(await api().get(`${base}/deliveries/${randomUUID()}`), 404);
  });

  it('never shows the secret in responses or logs', async () => {
    let secret = '';
    const bodies: string[] = [];
    const logs = await captureStdout(async () => {
      const created = await createWebhook('/quiet');
      secret = created.secret;
      const queued = await ping(created);
      await settled(t, owner.key, created.id, queued.id);
      bodies.push((await api().get('/v1/webhooks?limit=1000')).text);
      bodies.push((await api().get(`/v1/webhooks/${created.id}`)).text);
      bodies.push((await api().get(`/v1/webhooks/${created.id}/deliveries`)).text);
      bodies.push((await api().patch(`/v1/webhooks/${created.id}`, { description: 'x' })).text);
    });
    expect(logs).toContain('Webhook');
    for (const text of [logs, ...bodies]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(6, -4));
    }
  });
});

describe('outbound webhooks without WEBHOOKS_ALLOW_PRIVATE_TARGETS', () => {
  let t: TestApp;
  let owner: Tenant;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    overrideEnvironment({ WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'false', LOG_LEVEL: 'silent' }, { force: true });
    receiver = await startWebhookReceiver();
    t = await createTestApp();
    owner = await createTenant(t.dataSource, { role: 'owner' });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('refuses private, loopback, link-local and metadata targets when saved (422 naming the reason)', async () => {
    const before = await countRows(t.dataSource, TABLES);
    for (const url of [
      receiver.url('/hook'),
      `http://localhost:${receiver.port}/hook`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.1.2.3/hook',
      'http://192.168.0.10/hook',
      'http://[::1]/hook',
      'http://[fd00::1]/hook',
    ]) {
      const res = await as(t, owner.key).post('/v1/webhooks', { url, events: ['session.failed'] });
      expectProblem(res, 422);
      expect(res.body).toMatchObject({
        type: expect.stringContaining('webhook_target_refused'),
        detail: expect.stringContaining('private or loopback'),
        errors: [{ field: 'url', message: expect.stringContaining('WEBHOOKS_ALLOW_PRIVATE_TARGETS') }],
      });
    }
    const patched = await as(t, owner.key)
      .post('/v1/webhooks', { url: 'http://93.184.215.14/hook', events: ['session.failed'] })
      .expect(201);
    expectProblem(await as(t, owner.key).patch(`/v1/webhooks/${patched.body.id}`, { url: receiver.url('/x') }), 422);
    await as(t, owner.key).delete(`/v1/webhooks/${patched.body.id}`).expect(204);
    expect(await countRows(t.dataSource, TABLES)).toEqual({ ...before, audit_log: before.audit_log + 2 });
  });

  it('refuses at delivery time a target that now resolves to a private address (DNS rebinding)', async () => {
    for (const target of [receiver.url('/rebound'), `http://localhost:${receiver.port}/rebound`]) {
      // Saved while public; the address changes afterwards, as a rebinding DNS answer would.
      const res = await as(t, owner.key)
        .post('/v1/webhooks', { url: 'http://93.184.215.14/hook', events: ['session.failed'] })
        .expect(201);
      const webhook = res.body as Webhook;
      await t.dataSource.query('UPDATE webhooks SET url = $1 WHERE id = $2', [target, webhook.id]);
      const queued = (await as(t, owner.key).post(`/v1/webhooks/${webhook.id}/test`).expect(202)).body as Delivery;
      const delivery = await settled(t, owner.key, webhook.id, queued.id);
      expect(delivery).toMatchObject({ status: 'failed', attempt_count: 1, last_status_code: null });
      expect(delivery.attempts[0]).toMatchObject({ status_code: null, succeeded: false, next_retry_at: null });
      expect(delivery.attempts[0].error).toMatch(/^target refused: .*private or loopback/);
    }
    expect(receiver.received).toHaveLength(0);
  });
});
