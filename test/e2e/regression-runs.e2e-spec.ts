import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { getQueueToken } from 'src/queue/job-queue';
import { QueueName } from 'src/queue/queue.constants';
import type { InProcessQueue } from 'src/queue/in-process-queue';
import { recordFailingSession, recordSession } from 'test/fixtures/analysis';
import { countRows, createTenant, expectProblem, joinTenant, type Tenant } from 'test/fixtures/factories';
import { eventually, startWebhookReceiver, verifyWebhook, type WebhookReceiver } from 'test/fixtures/webhook-receiver';
import { createTestApp, type TestApp, useTestEnvironment } from 'test/setup/test-app';

// No automatic analysis: sessions the test does not analyse stay unanalysed until a run needs them.
useTestEnvironment({ ANALYSIS_AUTO: 'false', WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' });
jest.setTimeout(60_000);

const AGENT = `shop-${randomUUID().slice(0, 6)}`;

interface Side {
  versions: string[];
  sessions: number;
  affected: number;
  rate: number | null;
  analysed_now: number;
  truncated: boolean;
}

interface Run {
  id: string;
  incident_id: string;
  status: string;
  agent: string;
  baseline_versions: string[];
  candidate_version: string;
  progress: { phase: string; done: number; total: number; percent: number };
  result: {
    fingerprint: string;
    before: Side;
    after: Side;
    regressed: boolean | null;
    improved: boolean | null;
    insufficient_data: boolean;
  } | null;
  regressed: boolean | null;
  improved: boolean | null;
}

/** A run whose tool call succeeds and whose answer uses it. */
function cleanEvents(variant: number) {
  const key = randomUUID().slice(0, 8);
  return [
    { seq: 1, type: 'session.start', payload: { input: { order: variant } } },
    { seq: 2, type: 'message', payload: { role: 'user', content: `charge order ${variant}` } },
    {
      seq: 3,
      type: 'tool.call',
      payload: { call_id: `c${variant}`, tool: 'payments.charge', arguments: { order: variant } },
    },
    { seq: 4, type: 'tool.result', payload: { call_id: `c${variant}`, status: 'ok', output: { charged: true } } },
    { seq: 5, type: 'message', payload: { role: 'assistant', content: 'The card was charged.' } },
    { seq: 6, type: 'session.end', payload: { status: 'completed' } },
  ].map((e) => ({
    ...e,
    idempotency_key: `${key}:${e.seq}`,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, e.seq)).toISOString(),
  }));
}

/**
 * Regression runs end to end: an agent whose 1.0.0 sessions fail and form an incident, a 2.0.0
 * that mostly works, a 3.0.0 that fails more; runs through the in-process queue with their
 * progress, result, audit rows and the `regression.finished` webhook.
 */
describe('regression runs', () => {
  let t: TestApp;
  let owner: Tenant;
  let member: { key: string; user: { id: string } };
  let viewer: { key: string };
  let stranger: Tenant;
  let receiver: WebhookReceiver;
  let webhookSecret: string;
  let incidentId: string;

  const as = (key: string) => ({
    get: (path: string) => request(t.http).get(path).set('X-API-Key', key),
    post: (path: string, body: object = {}) => request(t.http).post(path).set('X-API-Key', key).send(body),
  });
  const runs = () => `/api/incidents/${incidentId}/regression-runs`;

  const failing = (version: string, i: number) =>
    recordFailingSession(
      t,
      owner,
      { tool: 'payments.charge', error: `GatewayError: card ${i} declined`, agent: { name: AGENT, version } },
      i,
    );
  const clean = (version: string, i: number) =>
    recordSession(t, owner, cleanEvents(i), { agent: { name: AGENT, version } });

  async function settled(runId: string): Promise<Run> {
    return eventually(async () => {
      const res = await as(member.key).get(`${runs()}/${runId}`).expect(200);
      const run = res.body as Run;
      return run.status === 'completed' || run.status === 'failed' ? run : undefined;
    });
  }

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await createTestApp();
    owner = await createTenant(t.dataSource, { role: 'owner' });
    member = await joinTenant(t.dataSource, owner, 'member');
    viewer = await joinTenant(t.dataSource, owner, 'viewer');
    stranger = await createTenant(t.dataSource, { role: 'owner' });
    const hook = await as(owner.key)
      .post('/v1/webhooks', { url: receiver.url('/regressions'), events: ['regression.finished'] })
      .expect(201);
    webhookSecret = (hook.body as { secret: string }).secret;

    // 1.0.0: four failing sessions form the incident (analysed now), one clean one (never analysed).
    for (let i = 0; i < 4; i++) {
      const id = await failing('1.0.0', i);
      const analysis = await as(owner.key).post(`/api/traces/${id}/analyze`).expect(200);
      incidentId = (analysis.body.findings as { detector: string; incident_id: string }[]).find(
        (f) => f.detector === 'tool_error',
      )!.incident_id;
    }
    await clean('1.0.0', 4);
    // 2.0.0: three clean sessions and one failing, none analysed yet.
    for (let i = 0; i < 3; i++) await clean('2.0.0', 10 + i);
    await failing('2.0.0', 13);
  });

  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('queues a run (202), counts before and after with progress, and says 2.0.0 improved', async () => {
    const progress: { phase: string; done: number; total: number }[] = [];
    const queue = t.app.get<InProcessQueue>(getQueueToken(QueueName.Regressions));
    const listener = (_job: unknown, value: { phase: string; done: number; total: number }) => progress.push(value);
    queue.on('progress', listener);
    try {
      const created = await as(member.key).post(runs()).expect(202);
      expect(created.body).toMatchObject({
        incident_id: incidentId,
        status: 'queued',
        agent: AGENT,
        baseline_versions: ['1.0.0'],
        candidate_version: '2.0.0',
        progress: { phase: 'queued', done: 0, total: 0, percent: 0 },
        result: null,
        regressed: null,
      });
      const run = await settled((created.body as Run).id);
      expect(run).toMatchObject({
        status: 'completed',
        regressed: false,
        improved: true,
        progress: { phase: 'done', done: 9, total: 9, percent: 100 },
        result: {
          before: { versions: ['1.0.0'], sessions: 5, affected: 4, rate: 0.8, analysed_now: 1, truncated: false },
          after: { versions: ['2.0.0'], sessions: 4, affected: 1, rate: 0.25, analysed_now: 4, truncated: false },
          regressed: false,
          improved: true,
          insufficient_data: false,
        },
      });
      // Progress moved while it ran: each side, then done.
      expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['before', 'after', 'done']));
      expect(progress.some((p) => p.done > 0 && p.done < p.total)).toBe(true);

      const audit: { action: string; actor_user_id: string | null }[] = await t.dataSource.query(
        `SELECT action, actor_user_id FROM audit_log WHERE target_type = 'regression_run' AND target_id = $1 ORDER BY created_at`,
        [run.id],
      );
      expect(audit).toEqual([
        { action: 'regression_run.created', actor_user_id: member.user.id },
        { action: 'regression_run.finished', actor_user_id: null },
      ]);

      const delivered = await eventually(() =>
        receiver.on('/regressions').find((r) => (r.body.data.regression_run as { id: string }).id === run.id),
      );
      expect(delivered.body).toMatchObject({
        type: 'regression.finished',
        workspace_id: owner.workspace.id,
        data: { regression_run: { id: run.id, status: 'completed', regressed: false } },
      });
      expect(verifyWebhook(webhookSecret, delivered)).toBe(true);
    } finally {
      queue.off('progress', listener);
    }
  });

  it('says regressed when the newer version fails more often', async () => {
    for (let i = 0; i < 3; i++) await failing('3.0.0', 20 + i);
    const created = await as(member.key).post(runs(), { candidate_version: '3.0.0' }).expect(202);
    // 2.0.0 produced the incident too (the first run analysed its failing session): both are "before".
    expect(created.body).toMatchObject({ baseline_versions: ['1.0.0', '2.0.0'], candidate_version: '3.0.0' });
    const run = await settled((created.body as Run).id);
    expect(run).toMatchObject({
      status: 'completed',
      regressed: true,
      improved: false,
      result: {
        before: { sessions: 9, affected: 5, rate: 0.5556, analysed_now: 0 },
        after: { sessions: 3, affected: 3, rate: 1, analysed_now: 3 },
      },
    });
    // Every version now produced the incident: no newer one to default to.
    const none = await as(member.key).post(runs());
    expectProblem(none, 422);
    expect(none.body).toMatchObject({ code: 'no_candidate_version' });
    // An explicit candidate takes the incident's earlier versions as its baseline.
    const again = await as(member.key).post(runs(), { candidate_version: '2.0.0' }).expect(202);
    expect(again.body).toMatchObject({ baseline_versions: ['1.0.0'] });
    expect(await settled((again.body as Run).id)).toMatchObject({ regressed: false, improved: true });
  });

  it('completes with insufficient_data when a side has no sessions, without dividing by zero', async () => {
    const none = await as(member.key)
      .post(runs(), { candidate_version: '9.9.9', baseline_versions: ['1.0.0'] })
      .expect(202);
    const run = await settled((none.body as Run).id);
    expect(run).toMatchObject({
      status: 'completed',
      regressed: null,
      improved: null,
      result: { insufficient_data: true, before: { sessions: 5, rate: 0.8 }, after: { sessions: 0, rate: null } },
    });

    const future = new Date(Date.now() + 86_400_000).toISOString();
    const windowed = await as(member.key).post(runs(), { candidate_version: '2.0.0', since: future }).expect(202);
    expect(await settled((windowed.body as Run).id)).toMatchObject({
      status: 'completed',
      result: { insufficient_data: true, before: { sessions: 0, rate: null }, after: { sessions: 0, rate: null } },
    });
  });

  it('lists the runs of the incident, newest first with cursor paging', async () => {
    const all = (await as(viewer.key).get(runs()).expect(200)).body as { data: Run[]; next_cursor: string | null };
    expect(all.data.length).toBe(5);
    expect(all.next_cursor).toBeNull();
    expect(all.data.every((r) => r.incident_id === incidentId)).toBe(true);
    const first = (await as(viewer.key).get(`${runs()}?limit=2`).expect(200)).body as typeof all;
    const second = (await as(viewer.key).get(`${runs()}?limit=2&cursor=${first.next_cursor}`).expect(200))
      .body as typeof all;
    expect([...first.data, ...second.data].map((r) => r.id)).toEqual(all.data.slice(0, 4).map((r) => r.id));
    expectProblem(await as(viewer.key).get(`${runs()}?cursor=garbage`), 422);
  });

  it('refuses bad requests and other callers, storing nothing', async () => {
    const runId = ((await as(viewer.key).get(runs()).expect(200)).body as { data: Run[] }).data[0].id;
    const before = await countRows(t.dataSource, ['regression_runs', 'audit_log']);
    expectProblem(await request(t.http).post(runs()).send({}), 401);
    expectProblem(await request(t.http).get(runs()), 401);
    expectProblem(await as(viewer.key).post(runs()), 403);
    expectProblem(await as(stranger.key).post(runs()), 404);
    expectProblem(await as(stranger.key).get(runs()), 404);
    expectProblem(await as(stranger.key).get(`${runs()}/${runId}`), 404);
    expectProblem(await as(member.key).get(`${runs()}/${randomUUID()}`), 404);
    expectProblem(await as(member.key).post(`/api/incidents/${randomUUID()}/regression-runs`), 404);
    expectProblem(await as(member.key).get(`${runs()}/not-a-uuid`), 400);
    const codes: [object, string][] = [
      [{ candidate_version: '2.0.0', baseline_versions: ['1.0.0', '2.0.0'] }, 'candidate_is_baseline'],
      [{ candidate_version: '1.0.0' }, 'no_baseline_version'],
      [{ agent: 'someone-else' }, 'agent_required'],
      [{ since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' }, 'invalid_window'],
      [{ candidate_version: 7 }, 'validation_failed'],
      [{ baseline_versions: [] }, 'validation_failed'],
      [{ since: 'yesterday' }, 'validation_failed'],
    ];
    for (const [body, code] of codes) {
      const res = await as(member.key).post(runs(), body);
      expectProblem(res, 422);
      expect(res.body).toMatchObject({ code });
    }
    expect(await countRows(t.dataSource, ['regression_runs', 'audit_log'])).toEqual(before);
  });
});
