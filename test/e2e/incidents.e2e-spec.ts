import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { recordFailingSession } from 'test/fixtures/analysis';
import { countRows, createTenant, createUser, expectProblem, joinTenant, Tenant } from 'test/fixtures/factories';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';
import { IncidentEvent, IncidentsEvents } from 'src/modules/incidents/incidents.events';

useTestEnvironment({ ANALYSIS_DEBOUNCE_MS: '20' });

describe('incidents', () => {
  let t: TestApp;
  let tenant: Tenant;
  let intruder: Tenant;
  const announced: IncidentEvent[] = [];
  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createTenant(t.dataSource, { role: 'owner' });
    intruder = await createTenant(t.dataSource, { role: 'owner' });
    const events = t.app.get(IncidentsEvents);
    for (const type of ['opened', 'reopened', 'resolved'] as const) events.on(type, (e) => announced.push(e));
  });
  afterAll(() => t.close());

  const as = (key: string) => ({
    get: (path: string) => request(t.http).get(path).set('X-API-Key', key),
    post: (path: string, body: object = {}) => request(t.http).post(path).set('X-API-Key', key).send(body),
    patch: (path: string, body: object) => request(t.http).patch(path).set('X-API-Key', key).send(body),
  });
  const analyze = (key: string, id: string) => as(key).post(`/api/traces/${id}/analyze`).expect(200);
  const incidentOf = async (key: string, sessionId: string, detector = 'tool_error') => {
    const analysis = (await as(key).get(`/api/traces/${sessionId}/analysis`).expect(200)).body;
    return analysis.findings.find((f: { detector: string }) => f.detector === detector).incident_id as string;
  };

  const paymentFailure = (i: number) => ({
    tool: 'payments.charge',
    // Amounts, ids and quoted values differ from run to run; the failure is the same.
    error: `GatewayError: card ${1000 + i} declined for order 'ord-${randomUUID()}' after ${i}ms`,
    agent: { name: 'checkout-agent', version: i < 5 ? '1.0.0' : '1.1.0' },
  });

  let paymentIncident: string;
  let paymentSessions: string[];

  it('groups ten sessions with the same failing tool into one incident, analysed concurrently', async () => {
    paymentSessions = [];
    for (let i = 0; i < 10; i++) paymentSessions.push(await recordFailingSession(t, tenant, paymentFailure(i), i));
    await Promise.all(paymentSessions.map((id) => analyze(tenant.key, id)));
    paymentIncident = await incidentOf(tenant.key, paymentSessions[0]);
    for (const id of paymentSessions) expect(await incidentOf(tenant.key, id)).toBe(paymentIncident);

    const incident = (await as(tenant.key).get(`/api/incidents/${paymentIncident}`).expect(200)).body;
    expect(incident).toMatchObject({
      workspace_id: tenant.workspace.id,
      detector: 'tool_error',
      label: 'tool_error',
      signature: 'tool:payments.charge|error:GatewayError',
      status: 'open',
      count: 10,
      affected_agents: [{ name: 'checkout-agent', versions: ['1.0.0', '1.1.0'] }],
      project_ids: [tenant.project.id],
      reopened_count: 0,
    });
    expect([...incident.sample_session_ids].sort()).toEqual([...paymentSessions].sort());
    expect(Date.parse(incident.first_seen_at)).toBeLessThanOrEqual(Date.parse(incident.last_seen_at));
    expect(announced.filter((e) => e.type === 'opened' && e.incident.id === paymentIncident)).toHaveLength(1);

    // Re-analysis (and the automatic analysis of the ended sessions) never counts a session twice.
    await analyze(tenant.key, paymentSessions[0]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await as(tenant.key).get(`/api/incidents/${paymentIncident}`).expect(200)).body.count).toBe(10);
    const [links] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM incident_sessions WHERE workspace_id = $1`,
      [tenant.workspace.id],
    );
    expect(links.n).toBe(10);
  });

  it('forms another incident for a different failure, and lists them last seen first with filters and paging', async () => {
    const other = await recordFailingSession(t, tenant, {
      tool: 'crm.lookup',
      error: 'ECONNREFUSED 10.0.0.7:5432',
      agent: { name: 'crm-agent' },
    });
    await analyze(tenant.key, other);
    const crmIncident = await incidentOf(tenant.key, other);
    expect(crmIncident).not.toBe(paymentIncident);

    const list = (await as(tenant.key).get('/api/incidents').expect(200)).body;
    expect(list.data.map((i: { id: string }) => i.id)).toEqual([crmIncident, paymentIncident]);
    expect(list.next_cursor).toBeNull();

    const first = (await as(tenant.key).get('/api/incidents?limit=1').expect(200)).body;
    expect(first.data.map((i: { id: string }) => i.id)).toEqual([crmIncident]);
    const second = (await as(tenant.key).get(`/api/incidents?limit=1&cursor=${first.next_cursor}`).expect(200)).body;
    expect(second.data.map((i: { id: string }) => i.id)).toEqual([paymentIncident]);
    expect(second.next_cursor).toBeNull();

    const ids = async (query: string) =>
      (await as(tenant.key).get(`/api/incidents?${query}`).expect(200)).body.data.map((i: { id: string }) => i.id);
    expect(await ids('agent=checkout-agent')).toEqual([paymentIncident]);
    expect(await ids('agent=crm-agent')).toEqual([crmIncident]);
    expect(await ids('detector=tool_error')).toEqual([crmIncident, paymentIncident]);
    expect(await ids('detector=abandoned')).toEqual([]);
    expect(await ids(`project_id=${tenant.project.id}`)).toEqual([crmIncident, paymentIncident]);
    expect(await ids(`project_id=${randomUUID()}`)).toEqual([]);
    expect(await ids('status=resolved')).toEqual([]);
    expectProblem(await as(tenant.key).get('/api/incidents?status=closed'), 422);
    expectProblem(await as(tenant.key).get('/api/incidents?project_id=nope'), 422);
    expectProblem(await as(tenant.key).get('/api/incidents?cursor=garbage'), 422);
  });

  it('resolves an incident (audit-logged) and reopens it when the failure recurs', async () => {
    const resolved = await as(tenant.key)
      .patch(`/api/incidents/${paymentIncident}`, { status: 'resolved' })
      .expect(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolved_at: expect.any(String) });
    expect(announced.filter((e) => e.type === 'resolved' && e.incident.id === paymentIncident)).toHaveLength(1);

    // An old session analysed again is no recurrence.
    await analyze(tenant.key, paymentSessions[3]);
    expect((await as(tenant.key).get(`/api/incidents/${paymentIncident}`).expect(200)).body.status).toBe('resolved');

    const recurrence = await recordFailingSession(t, tenant, paymentFailure(11), 11);
    await analyze(tenant.key, recurrence);
    const reopened = (await as(tenant.key).get(`/api/incidents/${paymentIncident}`).expect(200)).body;
    expect(reopened).toMatchObject({
      status: 'open',
      count: 11,
      reopened_count: 1,
      reopened_at: expect.any(String),
      resolved_at: null,
    });
    expect(reopened.sample_session_ids[0]).toBe(recurrence);
    expect(
      announced.filter((e) => e.type === 'reopened' && e.incident.id === paymentIncident && e.reason === 'recurrence'),
    ).toMatchObject([{ sessionId: recurrence, incident: { status: 'open' } }]);

    const audit = await t.dataSource.query(
      `SELECT action, data FROM audit_log WHERE target_type = 'incident' AND target_id = $1`,
      [paymentIncident],
    );
    expect(audit).toEqual([{ action: 'incident.updated', data: { status: { from: 'open', to: 'resolved' } } }]);
  });

  it('sets an owner who is a member of the workspace, and refuses bad input changing nothing', async () => {
    const member = await joinTenant(t.dataSource, tenant, 'member');
    const owned = await as(tenant.key)
      .patch(`/api/incidents/${paymentIncident}`, { status: 'investigating', owner_id: member.user.id })
      .expect(200);
    expect(owned.body).toMatchObject({ status: 'investigating', owner_id: member.user.id });

    const before = (await as(tenant.key).get(`/api/incidents/${paymentIncident}`).expect(200)).body;
    const auditBefore = await countRows(t.dataSource, ['audit_log']);
    const outsider = await createUser(t.dataSource);
    const notMember = await as(tenant.key).patch(`/api/incidents/${paymentIncident}`, { owner_id: outsider.id });
    expectProblem(notMember, 422);
    expect(notMember.body.type).toMatch(/owner_not_member$/);
    expectProblem(await as(tenant.key).patch(`/api/incidents/${paymentIncident}`, { status: 'closed' }), 422);
    expectProblem(await as(tenant.key).patch(`/api/incidents/${paymentIncident}`, { owner_id: 'nobody' }), 422);
    expectProblem(await as(tenant.key).patch(`/api/incidents/${paymentIncident}`, {}), 422);
    expectProblem(await as(tenant.key).patch(`/api/incidents/${paymentIncident}`, { status: 'open', extra: 1 }), 422);
    expectProblem(await as(tenant.key).patch('/api/incidents/not-a-uuid', { status: 'open' }), 400);
    expectProblem(await as(tenant.key).get('/api/incidents/not-a-uuid'), 400);
    expectProblem(await as(tenant.key).patch(`/api/incidents/${randomUUID()}`, { status: 'open' }), 404);
    const viewer = await joinTenant(t.dataSource, tenant, 'viewer');
    expectProblem(await as(viewer.key).patch(`/api/incidents/${paymentIncident}`, { status: 'open' }), 403);
    expect((await as(tenant.key).get(`/api/incidents/${paymentIncident}`).expect(200)).body).toEqual(before);
    expect(await countRows(t.dataSource, ['audit_log'])).toEqual(auditBefore);

    const cleared = await as(tenant.key).patch(`/api/incidents/${paymentIncident}`, { owner_id: null }).expect(200);
    expect(cleared.body.owner_id).toBeNull();
  });

  it("answers 404 for another workspace's incidents and never lists them", async () => {
    expectProblem(await as(intruder.key).get(`/api/incidents/${paymentIncident}`), 404);
    expectProblem(await as(intruder.key).patch(`/api/incidents/${paymentIncident}`, { status: 'ignored' }), 404);
    expect((await as(intruder.key).get('/api/incidents').expect(200)).body.data).toEqual([]);

    // The same failure in the intruder's workspace is the intruder's own incident.
    const own = await recordFailingSession(t, intruder, paymentFailure(1), 1);
    await analyze(intruder.key, own);
    const theirs = await incidentOf(intruder.key, own);
    expect(theirs).not.toBe(paymentIncident);
    expect((await as(tenant.key).get(`/api/incidents/${paymentIncident}`).expect(200)).body.status).toBe(
      'investigating',
    );
  });
});
