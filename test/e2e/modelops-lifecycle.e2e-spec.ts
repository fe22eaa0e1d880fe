import { randomUUID } from 'node:crypto';
import { ConflictAppException } from 'src/common/errors/app.exception';
import { EgressGate } from 'src/modules/modelops/egress/egress-gate';
import { ModelUsageService } from 'src/modules/modelops/models/model-usage.service';
import { ModelsService } from 'src/modules/modelops/models/models.service';
import { ModelReferenceRegistry } from 'src/modules/modelops/references/model-reference.registry';
import { createTenant, expectProblem, joinTenant, Tenant } from 'test/fixtures/factories';
import { as, createCloudModel, newKek, newSecret, OpenAiDouble, saveCredential } from 'test/fixtures/modelops';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment({ OUTBOUND_ALLOW_PRIVATE: 'true', MODELOPS_KEK: newKek('v1') });
jest.setTimeout(60_000);

type State = 'created' | 'registered' | 'validated' | 'active' | 'inactive' | 'unregistered' | 'deleted';
type Action = 'register' | 'validate' | 'test' | 'activate' | 'deactivate' | 'unregister' | 'delete';

const STATES: State[] = ['created', 'registered', 'validated', 'active', 'inactive', 'unregistered', 'deleted'];
const ACTIONS: Action[] = ['register', 'validate', 'test', 'activate', 'deactivate', 'unregister', 'delete'];

/**
 * The lifecycle as the product defines it, written out independently of the implementation's
 * table: every (state, action) pair not listed here must be refused with 409 and the current state.
 */
const ALLOWED: Record<Exclude<State, 'deleted'>, Partial<Record<Action, State>>> = {
  created: { register: 'registered', delete: 'deleted' },
  registered: { validate: 'validated', unregister: 'unregistered' },
  validated: { validate: 'validated', test: 'validated', activate: 'active', unregister: 'unregistered' },
  active: { validate: 'active', test: 'active', deactivate: 'inactive' },
  inactive: { validate: 'inactive', test: 'inactive', activate: 'active', unregister: 'unregistered' },
  unregistered: { register: 'registered', delete: 'deleted' },
};

const CASES = STATES.filter((s): s is Exclude<State, 'deleted'> => s !== 'deleted').flatMap((from) =>
  ACTIONS.map((action) => ({
    from,
    action,
    to: ALLOWED[from][action],
    outcome: ALLOWED[from][action] ?? '409 (refused)',
  })),
);

describe('ModelOps lifecycle', () => {
  let t: TestApp;
  let admin: Tenant;
  let provider: OpenAiDouble;
  let credentialId: string;

  beforeAll(async () => {
    provider = await new OpenAiDouble(newSecret()).start();
    t = await createTestApp();
    admin = await createTenant(t.dataSource, { superadmin: true });
    credentialId = (await saveCredential(t, admin.key, { secret: provider.apiKey })).id;
  });
  afterAll(async () => {
    await t.close();
    await provider.close();
  });

  /** A cloud model against the double, put straight into `state` (validated states carry a current successful validation). */
  async function modelIn(state: State): Promise<string> {
    const { id } = await createCloudModel(t, admin.key, { baseUrl: provider.baseUrl, credentialId });
    const validated = ['validated', 'active', 'inactive'].includes(state);
    await t.dataSource.query(
      `UPDATE modelops_models SET lifecycle_state = $2, is_validation_current = $3, last_validation_status = $4,
              deleted_at = CASE WHEN $2 = 'deleted' THEN now() ELSE NULL END WHERE id = $1`,
      [id, state, validated, validated ? 'success' : null],
    );
    return id;
  }

  function perform(id: string, action: Action) {
    const api = as(t, admin.key);
    switch (action) {
      case 'delete':
        return api.delete(`/v1/modelops/models/${id}`);
      case 'test':
        return api.post(`/v1/modelops/models/${id}/test`).send({});
      default:
        return api.post(`/v1/modelops/models/${id}/${action}`).send();
    }
  }

  async function stateOf(id: string): Promise<State> {
    const [row] = await t.dataSource.query(`SELECT lifecycle_state FROM modelops_models WHERE id = $1`, [id]);
    return row.lifecycle_state as State;
  }

  it.each(CASES)('$action from $from → $outcome', async ({ from, action, to }) => {
    const id = await modelIn(from);
    const res = await perform(id, action);
    if (to === undefined) {
      expectProblem(res, 409);
      expect(res.body).toMatchObject({ code: 'invalid_state_transition', current_state: from, action });
      expect(await stateOf(id)).toBe(from);
      return;
    }
    expect(res.status).toBe(action === 'delete' ? 204 : action === 'test' ? 201 : 200);
    expect(await stateOf(id)).toBe(to);
    if (action === 'validate')
      expect(res.body).toMatchObject({ model: { lifecycle_state: to }, validation: { status: 'success' } });
    else if (action === 'test') expect(res.body).toMatchObject({ status: 'success', runtime_id: 'cloud' });
    else if (action === 'delete') expectProblem(await as(t, admin.key).get(`/v1/modelops/models/${id}`), 404);
    else expect(res.body.lifecycle_state).toBe(to);
  });

  it.each(ACTIONS)('%s on a deleted model answers 404', async (action) => {
    const id = await modelIn('deleted');
    expectProblem(await perform(id, action), 404);
    expect(await stateOf(id)).toBe('deleted');
  });

  it('walks the documented path with real checks: created → registered → validated → active ⇄ inactive → unregistered → deleted', async () => {
    const { id, lifecycle_state } = await createCloudModel(t, admin.key, { baseUrl: provider.baseUrl, credentialId });
    expect(lifecycle_state).toBe('created');
    const api = as(t, admin.key);
    expect((await api.post(`/v1/modelops/models/${id}/register`).expect(200)).body.lifecycle_state).toBe('registered');
    const validated = (await api.post(`/v1/modelops/models/${id}/validate`).expect(200)).body;
    expect(validated.model).toMatchObject({
      lifecycle_state: 'validated',
      is_validation_current: true,
      last_validation_status: 'success',
    });
    expect((await api.post(`/v1/modelops/models/${id}/activate`).expect(200)).body).toMatchObject({
      lifecycle_state: 'active',
      is_bindable: true,
    });
    expect((await api.post(`/v1/modelops/models/${id}/deactivate`).expect(200)).body.lifecycle_state).toBe('inactive');
    expect((await api.post(`/v1/modelops/models/${id}/activate`).expect(200)).body.lifecycle_state).toBe('active');
    await api.post(`/v1/modelops/models/${id}/deactivate`).expect(200);
    const unregistered = (await api.post(`/v1/modelops/models/${id}/unregister`).expect(200)).body;
    expect(unregistered).toMatchObject({ lifecycle_state: 'unregistered', is_validation_current: false });
    await api.delete(`/v1/modelops/models/${id}`).expect(204);
    const audit = await t.dataSource.query(
      `SELECT action FROM audit_log WHERE target_id = $1 ORDER BY created_at, id`,
      [id],
    );
    expect(audit.map((r: { action: string }) => r.action)).toEqual(
      expect.arrayContaining([
        'modelops.model.created',
        'modelops.model.registered',
        'modelops.model.validated',
        'modelops.model.deleted',
      ]),
    );
  });

  it('a failed validation records why, sends validated back to registered, and blocks activation', async () => {
    const { id } = await createCloudModel(t, admin.key, {
      baseUrl: provider.baseUrl,
      credentialId,
      providerModelId: 'not-served-here',
    });
    const api = as(t, admin.key);
    await api.post(`/v1/modelops/models/${id}/register`).expect(200);
    await t.dataSource.query(`UPDATE modelops_models SET lifecycle_state = 'validated' WHERE id = $1`, [id]);
    const res = (await api.post(`/v1/modelops/models/${id}/validate`).expect(200)).body;
    expect(res.validation).toMatchObject({ status: 'failure', is_current: true, error: { code: 'model_not_listed' } });
    expect(res.model).toMatchObject({ lifecycle_state: 'registered', last_validation_status: 'failure' });
    const validations = (await api.get(`/v1/modelops/models/${id}/validations`).expect(200)).body;
    expect(validations.data).toHaveLength(1);
  });

  it('refuses to activate an inactive model whose validation went stale (409 validation_required)', async () => {
    const id = await modelIn('inactive');
    await t.dataSource.query(`UPDATE modelops_models SET is_validation_current = false WHERE id = $1`, [id]);
    const res = await perform(id, 'activate');
    expectProblem(res, 409);
    expect(res.body).toMatchObject({ code: 'validation_required', current_state: 'inactive' });
  });

  it('refuses to deactivate, unregister or delete a model a deployment binding uses, naming the bindings', async () => {
    const active = await modelIn('active');
    const inactive = await modelIn('inactive');
    const unregistered = await modelIn('unregistered');
    const bound = new Set([active, inactive, unregistered]);
    t.app
      .get(ModelReferenceRegistry)
      .register((modelId) => Promise.resolve(bound.has(modelId) ? ['deployment "prod" llm_inference'] : []));
    for (const [id, action, state] of [
      [active, 'deactivate', 'active'],
      [inactive, 'unregister', 'inactive'],
      [unregistered, 'delete', 'unregistered'],
    ] as const) {
      const res = await perform(id, action);
      expectProblem(res, 409);
      expect(res.body).toMatchObject({
        code: 'model_in_use',
        bindings: ['deployment "prod" llm_inference'],
        current_state: state,
      });
      expect(await stateOf(id)).toBe(state);
    }
    bound.clear();
    await perform(active, 'deactivate').expect(200);
  });

  it('tells platform-control which models may be bound (assertBindable / isBindable)', async () => {
    const models = t.app.get(ModelsService);
    const active = await modelIn('active');
    const validated = await modelIn('validated');
    const stale = await modelIn('active');
    await t.dataSource.query(`UPDATE modelops_models SET is_validation_current = false WHERE id = $1`, [stale]);

    expect(await models.isBindable(active)).toBe(true);
    expect(await models.isBindable(validated)).toBe(false);
    expect(await models.isBindable(stale)).toBe(false);
    expect((await models.assertBindable([active])).map((m) => m.id)).toEqual([active]);

    await expect(models.assertBindable([active, validated, stale])).rejects.toMatchObject({
      code: 'model_not_bindable',
      extras: {
        models: [
          expect.objectContaining({ id: validated, lifecycle_state: 'validated' }),
          expect.objectContaining({ id: stale, is_validation_current: false }),
        ],
      },
    });
    const unknown = randomUUID();
    await expect(models.assertBindable([active, unknown])).rejects.toMatchObject({
      code: 'unknown_models',
      extras: { model_ids: [unknown] },
    });
  });

  it('shows non-superadmins only the active models shared with their workspace and role', async () => {
    const owner = await createTenant(t.dataSource, { role: 'owner' });
    const viewer = await joinTenant(t.dataSource, owner, 'viewer');
    const other = await createTenant(t.dataSource, { role: 'owner' });
    const shared = await modelIn('active');
    const adminsOnly = await modelIn('active');
    const notActive = await modelIn('validated');
    const api = as(t, admin.key);
    await api
      .put('/v1/modelops/sharing')
      .send({ model_id: shared, grants: [{ workspace_id: owner.workspace.id, min_role: 'viewer' }] })
      .expect(200);
    await api
      .put('/v1/modelops/sharing')
      .send({ model_id: adminsOnly, grants: [{ workspace_id: owner.workspace.id, min_role: 'admin' }] })
      .expect(200);
    await api
      .put('/v1/modelops/sharing')
      .send({ model_id: notActive, grants: [{ workspace_id: null, min_role: 'viewer' }] })
      .expect(200);

    const ids = async (key: string) =>
      ((await as(t, key).get('/v1/modelops/models?limit=1000').expect(200)).body.data as { id: string }[]).map(
        (m) => m.id,
      );
    expect(await ids(owner.key)).toEqual(expect.arrayContaining([shared, adminsOnly]));
    expect(await ids(viewer.key)).toContain(shared);
    expect(await ids(viewer.key)).not.toContain(adminsOnly);
    expect(await ids(owner.key)).not.toContain(notActive);
    expect(await ids(other.key)).not.toContain(shared);

    await as(t, viewer.key).get(`/v1/modelops/models/${shared}`).expect(200);
    expectProblem(await as(t, viewer.key).get(`/v1/modelops/models/${adminsOnly}`), 404);
    expectProblem(await as(t, other.key).get(`/v1/modelops/models/${shared}`), 404);
    expectProblem(await as(t, owner.key).post(`/v1/modelops/models/${shared}/deactivate`), 403);

    const sharing = (await api.get(`/v1/modelops/sharing?model_id=${shared}`).expect(200)).body;
    expect(sharing.data).toEqual([
      {
        model_id: shared,
        model_name: expect.any(String),
        grants: [{ workspace_id: owner.workspace.id, min_role: 'viewer' }],
      },
    ]);
    const bad = await api
      .put('/v1/modelops/sharing')
      .send({ model_id: shared, grants: [{ workspace_id: randomUUID(), min_role: 'viewer' }] });
    expectProblem(bad, 422);
  });

  it('records test calls and usage, and reads usage back', async () => {
    const id = await modelIn('active');
    const api = as(t, admin.key);
    const test = (await api.post(`/v1/modelops/models/${id}/test`).send({ prompt: 'say ok' }).expect(201)).body;
    expect(test).toMatchObject({ status: 'success', output: { text: 'ok' }, input_tokens: 7, output_tokens: 1 });
    const tests = (await api.get(`/v1/modelops/models/${id}/tests`).expect(200)).body;
    expect(tests.data.map((r: { id: string }) => r.id)).toEqual([test.id]);

    const usage = t.app.get(ModelUsageService);
    await usage.recordUsage(id, { input_tokens: 100, output_tokens: 20, latency_ms: 300 });
    await usage.recordUsage(
      id,
      { input_tokens: 50, output_tokens: 10, latency_ms: 100 },
      { workspaceId: admin.workspace.id },
    );
    const read = (await api.get(`/v1/modelops/models/${id}/usage`).expect(200)).body;
    expect(read.inference).toMatchObject({ requests: 2, input_tokens: 150, output_tokens: 30, avg_latency_ms: 200 });
    expect(read.tests).toMatchObject({ requests: 1, input_tokens: 7, output_tokens: 1 });
    expect(read.daily).toEqual([expect.objectContaining({ requests: 2, input_tokens: 150 })]);

    const runtimes = (await api.get(`/v1/modelops/models/${id}/test-runtimes`).expect(200)).body;
    expect(runtimes.runtimes).toEqual([expect.objectContaining({ id: 'cloud', kind: 'cloud', serving: true })]);
  });

  it('offline, neither validates nor tests a cloud model: 409 before any call, nothing recorded', async () => {
    const id = await modelIn('registered');
    const gate = t.app.get(EgressGate);
    gate.setPolicy((kind) => {
      if (kind === 'cloud_provider')
        throw new ConflictAppException('The runtime profile is offline', 'offline_provider_blocked');
    });
    try {
      const before = provider.calls.length;
      const res = await perform(id, 'validate');
      expectProblem(res, 409);
      expect(res.body.code).toBe('offline_provider_blocked');
      const active = await modelIn('active');
      expectProblem(await perform(active, 'test'), 409);
      expect(provider.calls.length).toBe(before);
      expect(await stateOf(id)).toBe('registered');
      const [{ n }] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM modelops_model_validations WHERE model_id = $1`,
        [id],
      );
      expect(n).toBe(0);
    } finally {
      gate.setPolicy(() => undefined);
    }
  });

  it('refuses a cloud model without base_url and provider_model_id, naming the fields (422)', async () => {
    const res = await as(t, admin.key)
      .post('/v1/modelops/models')
      .send({ name: 'incomplete', hosting: 'cloud', task: 'llm' });
    expectProblem(res, 422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['base_url', 'provider_model_id']),
    );
  });
});
