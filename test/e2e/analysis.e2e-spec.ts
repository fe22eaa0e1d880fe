import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  browserJwt,
  failingEvents,
  recordFailingSession,
  recordSession,
  waitForAnalysis,
} from 'test/fixtures/analysis';
import { countRows, createTenant, expectProblem, joinTenant, Tenant } from 'test/fixtures/factories';
import { traceClient } from 'test/fixtures/traces';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment({ ANALYSIS_DEBOUNCE_MS: '50' });

describe('trace API: analysis', () => {
  let t: TestApp;
  let tenant: Tenant;
  let intruder: Tenant;
  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createTenant(t.dataSource, { role: 'owner' });
    intruder = await createTenant(t.dataSource, { role: 'owner' });
  });
  afterAll(() => t.close());

  const as = (auth: string) => ({
    get: (path: string) => request(t.http).get(path).set('Authorization', `Bearer ${auth}`),
    post: (path: string, body: object = {}) =>
      request(t.http).post(path).set('Authorization', `Bearer ${auth}`).send(body),
    put: (path: string, body: object) => request(t.http).put(path).set('Authorization', `Bearer ${auth}`).send(body),
  });
  const failure = { tool: 'search', error: 'TimeoutError: upstream took 30012 ms' };

  it('runs the detectors and stores the result with the digest of its input', async () => {
    const id = await recordFailingSession(t, tenant, failure);
    const analysed = await as(tenant.key).post(`/api/traces/${id}/analyze`).expect(200);
    expect(analysed.body).toMatchObject({
      session_id: id,
      workspace_id: tenant.workspace.id,
      source: 'detectors',
      labels: ['tool_error'],
      critical_step: 4,
      event_count: 6,
      last_seq: 6,
      truncated: false,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      detector_version: expect.stringMatching(/^detectors@1\+[0-9a-f]{12}$/),
      findings: [
        {
          detector: 'tool_error',
          label: 'tool_error',
          confidence: 0.95,
          evidence: [3, 4],
          critical_step: 4,
          signature: 'tool:search|error:TimeoutError',
          incident_id: expect.any(String),
        },
      ],
    });
    const read = await as(tenant.key).get(`/api/traces/${id}/analysis`).expect(200);
    expect(read.body).toEqual(analysed.body);
    // A re-run over the same events (the debounced job does one after the session ends) that
    // finds the same leaves the stored analysis, updated_at included, as it was.
    const again = await as(tenant.key).post(`/api/traces/${id}/analyze`).expect(200);
    expect(again.body).toEqual(analysed.body);
  });

  it('gives the same labels, confidences, critical step and digest for the same events in other batches', async () => {
    const events = failingEvents({ tool: 'crm.lookup', error: "KeyError: 'account'" });
    const results = [];
    for (const batchSize of [1, 2, 6]) {
      const id = await recordSession(t, tenant, events, { batchSize });
      results.push((await as(tenant.key).post(`/api/traces/${id}/analyze`).expect(200)).body);
    }
    const comparable = (r: Record<string, unknown>) => ({
      labels: r.labels,
      critical_step: r.critical_step,
      digest: r.digest,
      detector_version: r.detector_version,
      findings: (r.findings as Record<string, unknown>[]).map(({ incident_id: _incident, ...f }) => f),
    });
    expect(comparable(results[1])).toEqual(comparable(results[0]));
    expect(comparable(results[2])).toEqual(comparable(results[0]));
    // Re-running on unchanged events changes nothing either.
    const again = await as(tenant.key).post(`/api/traces/${results[0].session_id}/analyze`).expect(200);
    expect(comparable(again.body)).toEqual(comparable(results[0]));
  });

  it('takes thresholds per request and records them', async () => {
    const client = traceClient(t, tenant.key);
    const id = (await client.createTrace({ project_id: tenant.project.id }).expect(201)).body.id;
    const call = (seq: number) => ({
      seq,
      idempotency_key: `loop:${seq}`,
      type: seq % 2 ? 'tool.call' : 'tool.result',
      payload:
        seq % 2
          ? { call_id: `c${seq}`, tool: 'ping', arguments: { host: 'a' } }
          : { call_id: `c${seq - 1}`, status: 'ok', output: 1 },
    });
    await client.append(id, { events: [1, 2, 3, 4].map(call) }).expect(200);
    // No body at all (curl -X POST) is the configured thresholds.
    const plain = await request(t.http).post(`/api/traces/${id}/analyze`).set('X-API-Key', tenant.key).expect(200);
    expect(plain.body.labels).toEqual([]);
    const strict = await as(tenant.key)
      .post(`/api/traces/${id}/analyze`, { thresholds: { loop_min_repeats: 2 } })
      .expect(200);
    expect(strict.body).toMatchObject({ labels: ['repeated_tool_call'], critical_step: 3 });
    expect(strict.body.thresholds).toMatchObject({ loop_min_repeats: 2, no_progress_steps: 8 });
    expectProblem(await as(tenant.key).post(`/api/traces/${id}/analyze`, { thresholds: { loop_min_repeats: 1 } }), 422);
    expectProblem(await as(tenant.key).post(`/api/traces/${id}/analyze`, { thresholds: { unknown: 1 } }), 422);
  });

  it('analyses a session by itself when it ends, and again when late events arrive', async () => {
    const events = failingEvents({ ...failure, end: false });
    const id = await recordSession(t, tenant, events);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expectProblem(await as(tenant.key).get(`/api/traces/${id}/analysis`), 404);

    const client = traceClient(t, tenant.key);
    await client.post(`/api/traces/${id}/end`, { status: 'failed' }).expect(200);
    const first = await waitForAnalysis(t, tenant.key, id);
    expect(first).toMatchObject({ labels: ['tool_error'], event_count: 6 });

    await client
      .append(id, {
        events: [
          {
            seq: 7,
            idempotency_key: 'late:7',
            type: 'tool.call',
            payload: { call_id: 'l1', tool: 'mailer', arguments: {} },
          },
          {
            seq: 8,
            idempotency_key: 'late:8',
            type: 'tool.result',
            payload: { call_id: 'l1', status: 'error', error: 'SMTPError: 550' },
          },
        ],
      })
      .expect(200);
    const second = await waitForAnalysis(t, tenant.key, id, (a) => a.event_count === 8);
    expect(second.labels).toEqual(['tool_error']);
    expect(second.findings.map((f: { signature: string }) => f.signature).sort()).toEqual([
      'tool:mailer|error:SMTPError',
      'tool:search|error:TimeoutError',
    ]);
    expect(second.digest).not.toBe(first.digest);
  });

  it("checks tool calls against the session's suite: unknown tools and arguments that break the schema", async () => {
    const suite = await as(tenant.key)
      .post('/v1/suites', { name: `restaurants-${randomUUID().slice(0, 8)}` })
      .expect(201);
    await as(tenant.key)
      .post(`/v1/suites/${suite.body.id}/actions`, {
        name: 'book_table',
        parameters_schema: {
          type: 'object',
          required: ['date', 'people'],
          properties: { date: { type: 'string' }, people: { type: 'integer', minimum: 1 } },
        },
      })
      .expect(201);
    const client = traceClient(t, tenant.key);
    const id = (await client.createTrace({ project_id: tenant.project.id, suite_id: suite.body.id }).expect(201)).body
      .id;
    const events = [
      {
        type: 'tool.call',
        payload: { call_id: 'a', tool: 'book_table', arguments: { date: '2026-01-01', people: 0 } },
      },
      { type: 'tool.result', payload: { call_id: 'a', status: 'ok', output: { booked: true } } },
      { type: 'tool.call', payload: { call_id: 'b', tool: 'drop_database', arguments: {} } },
      { type: 'tool.result', payload: { call_id: 'b', status: 'ok', output: { dropped: true } } },
    ].map((e, i) => ({ ...e, seq: i + 1, idempotency_key: `suite:${i + 1}` }));
    await client.append(id, { events }).expect(200);
    const res = await as(tenant.key).post(`/api/traces/${id}/analyze`).expect(200);
    expect(res.body.labels).toEqual(['invalid_tool_arguments', 'unknown_tool']);
    expect(res.body.findings).toMatchObject([
      { detector: 'invalid_tool_arguments', critical_step: 1, signature: 'tool:book_table|minimum:/people' },
      {
        detector: 'tool_not_allowed',
        label: 'unknown_tool',
        critical_step: 3,
        signature: 'catalog|tool:drop_database',
      },
    ]);
  });

  describe('PUT /api/traces/{id}/analysis (server-side workflows only)', () => {
    const body = (criticalStep = 4) => ({
      detector_version: 'llm-judge@3',
      findings: [
        {
          detector: 'llm_judge',
          label: 'wrong_tool',
          confidence: 0.8,
          evidence: [3, criticalStep],
          critical_step: criticalStep,
          signature: 'tool:search|wrong_tool',
          summary: 'The agent searched instead of asking',
        },
      ],
    });
    let sessionId: string;
    let serviceKey: string;
    beforeAll(async () => {
      sessionId = await recordFailingSession(t, tenant, { tool: 'search', error: 'ValueError: bad' });
      // Let its automatic analysis (it ended) settle first.
      await waitForAnalysis(t, tenant.key, sessionId);
      const created = await as(tenant.key)
        .post('/v1/api-keys', { name: 'analysis workflow', service: true })
        .expect(201);
      expect(created.body.service).toBe(true);
      serviceKey = created.body.key;
    });

    it('refuses every browser JWT with 403, the superadmin one too, and changes nothing', async () => {
      const before = (await as(tenant.key).get(`/api/traces/${sessionId}/analysis`).expect(200)).body;
      const auditBefore = await countRows(t.dataSource, ['audit_log']);
      for (const token of [browserJwt(tenant), browserJwt(tenant, { superadmin: true })]) {
        const res = await as(token).put(`/api/traces/${sessionId}/analysis`, body());
        expectProblem(res, 403);
        expect(res.body.type).toMatch(/service_credential_required$/);
      }
      const member = await joinTenant(t.dataSource, tenant, 'admin');
      expectProblem(await as(member.key).put(`/api/traces/${sessionId}/analysis`, body()), 403);
      expect((await as(tenant.key).get(`/api/traces/${sessionId}/analysis`).expect(200)).body).toEqual(before);
      expect(await countRows(t.dataSource, ['audit_log'])).toEqual(auditBefore);
    });

    it('lets only admins create service keys', async () => {
      const member = await joinTenant(t.dataSource, tenant, 'member');
      expectProblem(await as(member.key).post('/v1/api-keys', { name: 'sneaky', service: true }), 403);
      const plain = await as(member.key).post('/v1/api-keys', { name: 'plain' }).expect(201);
      expect(plain.body.service).toBe(false);
    });

    it('stores the result and its incident links for a service key, audit-logged', async () => {
      const res = await as(serviceKey).put(`/api/traces/${sessionId}/analysis`, body()).expect(200);
      expect(res.body).toMatchObject({
        source: 'workflow',
        detector_version: 'llm-judge@3',
        labels: ['wrong_tool'],
        critical_step: 4,
        event_count: 6,
        findings: [{ detector: 'llm_judge', signature: 'tool:search|wrong_tool', incident_id: expect.any(String) }],
      });
      const incident = await as(tenant.key).get(`/api/incidents/${res.body.findings[0].incident_id}`).expect(200);
      expect(incident.body).toMatchObject({ detector: 'llm_judge', count: 1, sample_session_ids: [sessionId] });
      const read = await as(tenant.key).get(`/api/traces/${sessionId}/analysis`).expect(200);
      expect(read.body.digest).toBe(res.body.digest);
      const audit = await t.dataSource.query(`SELECT action FROM audit_log WHERE target_id = $1`, [sessionId]);
      expect(audit).toEqual([{ action: 'analysis.recorded' }]);
    });

    it("accepts a superadmin's API key", async () => {
      const admin = await createTenant(t.dataSource, { superadmin: true });
      const own = await recordFailingSession(t, admin, failure);
      await as(admin.key)
        .put(`/api/traces/${own}/analysis`, { ...body(), link_incidents: false })
        .expect(200);
    });

    it('refuses findings that point outside the session, and bad bodies, changing nothing', async () => {
      const before = (await as(tenant.key).get(`/api/traces/${sessionId}/analysis`).expect(200)).body;
      const unknownSeq = await as(serviceKey).put(`/api/traces/${sessionId}/analysis`, body(99));
      expectProblem(unknownSeq, 422);
      expect(unknownSeq.body.type).toMatch(/unknown_seq$/);
      const bad = { ...body(), findings: [{ ...body().findings[0], confidence: 1.5 }] };
      expectProblem(await as(serviceKey).put(`/api/traces/${sessionId}/analysis`, bad), 422);
      expectProblem(await as(serviceKey).put(`/api/traces/${sessionId}/analysis`, { findings: [] }), 422);
      expectProblem(await as(serviceKey).put('/api/traces/not-a-uuid/analysis', body()), 400);
      expect((await as(tenant.key).get(`/api/traces/${sessionId}/analysis`).expect(200)).body).toEqual(before);
    });
  });

  it('links the OpenAPI document to the detector documentation', async () => {
    const doc = (await request(t.http).get('/docs-json').expect(200)).body;
    const tag = doc.tags.find((x: { name: string }) => x.name === 'analysis');
    expect(tag.description).toContain('docs/detectors.md');
    expect(doc.paths['/api/traces/{id}/analyze'].post.externalDocs).toEqual({
      description: expect.any(String),
      url: 'docs/detectors.md',
    });
  });

  it("answers 404 for another workspace's sessions and analyses", async () => {
    const id = await recordFailingSession(t, tenant, failure);
    await as(tenant.key).post(`/api/traces/${id}/analyze`).expect(200);
    const intruderService = await as(intruder.key).post('/v1/api-keys', { name: 'svc', service: true }).expect(201);
    expectProblem(await as(intruder.key).get(`/api/traces/${id}/analysis`), 404);
    expectProblem(await as(intruder.key).post(`/api/traces/${id}/analyze`), 404);
    expectProblem(
      await as(intruderService.body.key).put(`/api/traces/${id}/analysis`, { detector_version: 'x', findings: [] }),
      404,
    );
    expectProblem(await as(tenant.key).get(`/api/traces/${randomUUID()}/analysis`), 404);
    expectProblem(await as(tenant.key).get('/api/traces/12/analysis'), 400);
  });
});
