import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { overrideEnvironment } from 'src/config/configuration';
import { ModelEntity } from 'src/modules/modelops/models/entities/model.entity';
import { OpenAiCompatibleAdapter } from 'src/modules/platform-control/adapters/openai-compatible.adapter';
import { PlatformRuntimeResolver } from 'src/modules/platform-control/runtime-resolver';
import { captureStdout } from 'test/fixtures/capture-stdout';
import { createTenant, expectProblem, type Tenant } from 'test/fixtures/factories';
import {
  embed,
  type HttpDouble,
  type OpenAiDouble,
  sendJson,
  startOpenAiDouble,
  startRecordingServer,
} from 'test/fixtures/openai-double';
import { type QdrantDouble, startQdrantDouble } from 'test/fixtures/vector-doubles';
import { createTestApp, type TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment({ OUTBOUND_ALLOW_PRIVATE: 'true' });
jest.setTimeout(60_000);

const CLOUD_SECRET = `sk-cloud-${randomUUID()}`;

interface Deployment {
  id: string;
  slug: string;
  is_active: boolean;
  bindings: {
    capability: string;
    provider: { id: string };
    resources: { id: string; display_name: string | null }[];
  }[];
  configuration_status: {
    status: string;
    missing_capabilities: string[];
    issues: { code: string; capability?: string }[];
  };
}

/**
 * The control plane end to end, in one file because it owns global state (the active deployment
 * and the runtime profile): deployments and bindings, activation with a real preflight and its
 * audit, the data-plane proofs, /v1/models inference, and the offline profile failing closed.
 */
describe('platform control plane', () => {
  let t: TestApp;
  let admin: Tenant;
  let member: Tenant;
  let local: OpenAiDouble;
  let stranger: OpenAiDouble;
  let cloud: OpenAiDouble;
  let qdrant: QdrantDouble;
  let hub: HttpDouble;
  const outbound: string[] = [];
  const realFetch = globalThis.fetch;

  const models: Record<string, ModelEntity> = {};
  const providers: Record<string, { id: string; slug: string }> = {};
  let deploymentA: Deployment;
  let deploymentC: Deployment;

  const as = (key: string) => ({
    get: (path: string) => request(t.http).get(path).set('X-API-Key', key),
    post: (path: string) => request(t.http).post(path).set('X-API-Key', key),
    put: (path: string) => request(t.http).put(path).set('X-API-Key', key),
    patch: (path: string) => request(t.http).patch(path).set('X-API-Key', key),
    delete: (path: string) => request(t.http).delete(path).set('X-API-Key', key),
  });
  const sa = () => as(admin.key);

  async function createProvider(name: string, body: Record<string, unknown>): Promise<void> {
    const res = await sa()
      .post('/v1/platform/providers')
      .send({ slug: `${name}-${randomUUID().slice(0, 6)}`, display_name: name, ...body });
    expect(res.status).toBe(201);
    providers[name] = res.body as { id: string; slug: string };
  }

  const binding = (
    provider: string,
    resourceIds: string[] = [],
    defaultId: string | null = resourceIds[0] ?? null,
  ) => ({
    provider_id: providers[provider].id,
    resource_ids: resourceIds,
    default_resource_id: defaultId,
  });

  async function deploymentById(id: string): Promise<Deployment> {
    const res = await sa().get('/v1/platform/deployments').expect(200);
    return (res.body as Deployment[]).find((d) => d.id === id)!;
  }

  async function attemptsOf(deploymentId: string) {
    const res = await sa().get(`/v1/platform/activation-audit?deployment_id=${deploymentId}`).expect(200);
    return (res.body as { data: Record<string, unknown>[] }).data;
  }

  beforeAll(async () => {
    local = await startOpenAiDouble({ models: ['org/local-chat', 'org/local-embed'], dimension: 8 });
    stranger = await startOpenAiDouble({ models: ['something-else'] });
    cloud = await startOpenAiDouble({ models: ['gpt-double'], apiKey: CLOUD_SECRET });
    qdrant = await startQdrantDouble();
    hub = await startRecordingServer((_req, res) => sendJson(res, 200, []));
    overrideEnvironment({ MODEL_HUB_URL: hub.origin }, { force: true });
    // Every outbound request of the app in this process goes through the global fetch.
    globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
      outbound.push(input instanceof Request ? input.url : String(input));
      return realFetch(input, init);
    };
    t = await createTestApp();
    admin = await createTenant(t.dataSource, { superadmin: true });
    member = await createTenant(t.dataSource, { role: 'member' });

    models.localChat = await createModel(t.dataSource, { hosting: 'local', task: 'llm', sourceId: 'org/local-chat' });
    models.otherChat = await createModel(t.dataSource, { hosting: 'local', task: 'llm', sourceId: 'org/other-chat' });
    models.localEmbed = await createModel(t.dataSource, {
      hosting: 'local',
      task: 'embeddings',
      sourceId: 'org/local-embed',
    });
    models.cloudChat = await createModel(t.dataSource, {
      hosting: 'cloud',
      task: 'llm',
      providerModelId: 'gpt-double',
    });
    models.notValidated = await createModel(t.dataSource, { hosting: 'local', task: 'llm', state: 'validated' });

    const credential = await sa()
      .post('/v1/modelops/credentials')
      .send({ name: `cloud-${randomUUID().slice(0, 8)}`, provider: 'openai', secret: CLOUD_SECRET })
      .expect(201);
    const closed = await freePort();
    await createProvider('llm', { family: 'vllm_local', capability: 'llm_inference', endpoint_url: local.url });
    await createProvider('embed', { family: 'vllm_local', capability: 'embeddings', endpoint_url: local.url });
    await createProvider('vec', { family: 'pgvector_local' });
    await createProvider('qdrant', { family: 'qdrant_local', endpoint_url: qdrant.origin });
    await createProvider('down', {
      family: 'vllm_local',
      capability: 'llm_inference',
      endpoint_url: `http://127.0.0.1:${closed}/v1`,
    });
    await createProvider('stranger', {
      family: 'llama_cpp_local',
      capability: 'embeddings',
      endpoint_url: stranger.url,
    });
    await createProvider('mcp', { family: 'mcp_gateway_local', endpoint_url: local.origin });
    await createProvider('cloud', {
      family: 'openai_compatible_cloud_llm',
      endpoint_url: cloud.url,
      secret_refs: { api_key: (credential.body as { secret_ref: string }).secret_ref },
    });
  });

  afterAll(async () => {
    // Leave the shared database online for the other suites.
    await t.dataSource.query(`UPDATE platform_runtime_profile SET mode = 'online' WHERE id = 1`);
    globalThis.fetch = realFetch;
    await t.close();
    await Promise.all([local.close(), stranger.close(), cloud.close(), qdrant.close(), hub.close()]);
  });

  describe('deployments', () => {
    it('saves bindings one capability at a time and reports readiness without blocking', async () => {
      const created = await sa()
        .post('/v1/platform/deployments')
        .send({
          slug: `local-a-${randomUUID().slice(0, 6)}`,
          display_name: 'Local A',
          bindings: { llm_inference: binding('llm') },
        })
        .expect(201);
      deploymentA = created.body as Deployment;
      expect(deploymentA).toMatchObject({
        is_active: false,
        configuration_status: { status: 'incomplete', missing_capabilities: ['embeddings', 'vector_store'] },
        bindings: [
          {
            capability: 'llm_inference',
            provider: { id: providers.llm.id, family: 'vllm_local', provider_origin: 'local' },
            resources: [],
            default_resource: null,
            configuration_status: { status: 'incomplete', issues: [{ code: 'no_resources' }] },
          },
        ],
      });

      const id = deploymentA.id;
      await sa()
        .put(`/v1/platform/deployments/${id}/bindings/llm_inference`)
        .send(binding('llm', [models.localChat.id]))
        .expect(200);
      await sa()
        .put(`/v1/platform/deployments/${id}/bindings/embeddings`)
        .send(binding('embed', [models.localEmbed.id]))
        .expect(200);
      const saved = await sa()
        .put(`/v1/platform/deployments/${id}/bindings/vector_store`)
        .send(binding('vec', ['kb_main']))
        .expect(200);
      expect(saved.body).toMatchObject({
        configuration_status: { status: 'ready', missing_capabilities: [], issues: [] },
        bindings: [
          {
            capability: 'llm_inference',
            resources: [{ ref_type: 'managed_model', id: models.localChat.id, display_name: models.localChat.name }],
            default_resource_id: models.localChat.id,
            default_resource: { id: models.localChat.id },
            resource_policy: { selection: 'listed_only', fallback: 'default_resource' },
          },
          { capability: 'embeddings', default_resource_id: models.localEmbed.id },
          {
            capability: 'vector_store',
            resources: [{ ref_type: 'vector_index', id: 'kb_main', provider_resource_id: 'kb_main' }],
          },
        ],
      });

      const patched = await sa()
        .patch(`/v1/platform/deployments/${id}`)
        .send({ display_name: 'Local A (renamed)', description: 'all local' })
        .expect(200);
      expect(patched.body).toMatchObject({
        slug: deploymentA.slug,
        display_name: 'Local A (renamed)',
        description: 'all local',
      });
      expect((patched.body as Deployment).bindings).toHaveLength(3);
      deploymentA = patched.body as Deployment;
    });

    it('replaces identity and every binding with PUT (capabilities left out are unbound)', async () => {
      const created = await sa()
        .post('/v1/platform/deployments')
        .send({
          slug: `scratch-${randomUUID().slice(0, 6)}`,
          display_name: 'Scratch',
          bindings: { llm_inference: binding('llm', [models.localChat.id]), vector_store: binding('vec', ['kb_x']) },
        })
        .expect(201);
      const id = (created.body as Deployment).id;
      const replaced = await sa()
        .put(`/v1/platform/deployments/${id}`)
        .send({
          slug: `scratch2-${randomUUID().slice(0, 6)}`,
          display_name: 'Scratch 2',
          bindings: { embeddings: binding('embed') },
        })
        .expect(200);
      expect(replaced.body).toMatchObject({
        display_name: 'Scratch 2',
        description: null,
        bindings: [{ capability: 'embeddings', resources: [], default_resource_id: null }],
        configuration_status: { status: 'incomplete', missing_capabilities: ['llm_inference', 'vector_store'] },
      });
      const incomplete = await sa().post(`/v1/platform/deployments/${id}/activate`);
      expectProblem(incomplete, 409);
      expect(incomplete.body).toMatchObject({
        code: 'deployment_incomplete',
        missing_capabilities: ['llm_inference', 'vector_store'],
      });
      await sa().delete(`/v1/platform/deployments/${id}`).expect(204);
      expectProblem(await sa().patch(`/v1/platform/deployments/${id}`).send({ display_name: 'gone' }), 404);
    });

    it('refuses bindings the rules do not allow', async () => {
      const put = (capability: string, body: object) =>
        sa().put(`/v1/platform/deployments/${deploymentA.id}/bindings/${capability}`).send(body);
      const expectCode = (res: request.Response, status: number, code: string) => {
        expectProblem(res, status);
        expect(res.body).toMatchObject({ code });
      };
      expectCode(await put('llm_inference', binding('embed', [models.localEmbed.id])), 422, 'invalid_binding');
      expectCode(await put('llm_inference', binding('llm', [models.notValidated.id])), 409, 'model_not_bindable');
      expectCode(await put('llm_inference', binding('llm', [randomUUID()])), 422, 'unknown_models');
      expectCode(await put('embeddings', binding('embed', [models.localChat.id])), 422, 'invalid_binding');
      expectCode(await put('llm_inference', binding('llm', [models.cloudChat.id])), 422, 'invalid_binding');
      expectCode(
        await put('llm_inference', binding('llm', [models.localChat.id], models.otherChat.id)),
        422,
        'invalid_binding',
      );
      expectCode(await put('mcp_runtime', binding('mcp', ['anything'])), 422, 'invalid_binding');
      expectCode(await put('vector_store', binding('vec', ['not-an-index!'])), 422, 'validation_failed');
      expectProblem(await put('not_a_capability', binding('llm')), 422);
      const taken = await sa().post('/v1/platform/deployments').send({ slug: deploymentA.slug, display_name: 'Again' });
      expectCode(taken, 409, 'slug_taken');
      // Nothing above changed the deployment.
      expect((await deploymentById(deploymentA.id)).bindings.map((b) => b.resources.map((r) => r.id))).toEqual([
        [models.localChat.id],
        [models.localEmbed.id],
        ['kb_main'],
      ]);
    });
  });

  describe('activation', () => {
    it('activates after a real preflight of every bound provider and records who did it', async () => {
      const before = local.requests.length;
      const res = await sa().post(`/v1/platform/deployments/${deploymentA.id}/activate`).expect(200);
      expect(res.body).toMatchObject({
        deployment_id: deploymentA.id,
        preflight: [
          { capability: 'llm_inference', provider_id: providers.llm.id, status: 'ok' },
          { capability: 'embeddings', provider_id: providers.embed.id, status: 'ok' },
          { capability: 'vector_store', provider_id: providers.vec.id, status: 'ok' },
        ],
      });
      expect(local.requests.slice(before).map((r) => r.path)).toEqual(['/v1/models', '/v1/models']);
      expect((await deploymentById(deploymentA.id)).is_active).toBe(true);
      const [attempt] = await attemptsOf(deploymentA.id);
      expect(attempt).toMatchObject({
        outcome: 'activated',
        reason: null,
        actor_user_id: admin.user.id,
        actor_api_key_id: admin.keyId,
        preflight: [{ status: 'ok' }, { status: 'ok' }, { status: 'ok' }],
      });
    });

    it('answers 409 naming every unreachable or incompatible provider, keeps the old deployment active, and audits the attempt', async () => {
      const clone = await sa()
        .post(`/v1/platform/deployments/${deploymentA.id}/clone`)
        .send({ slug: `broken-${randomUUID().slice(0, 6)}` })
        .expect(201);
      const b = clone.body as Deployment;
      expect(b).toMatchObject({ is_active: false, display_name: 'Local A (renamed) (copy)' });
      expect(b.bindings).toHaveLength(3);
      await sa()
        .put(`/v1/platform/deployments/${b.id}/bindings/llm_inference`)
        .send(binding('down', [models.localChat.id]))
        .expect(200);
      await sa()
        .put(`/v1/platform/deployments/${b.id}/bindings/embeddings`)
        .send(binding('stranger', [models.localEmbed.id]))
        .expect(200);

      const res = await sa().post(`/v1/platform/deployments/${b.id}/activate`);
      expectProblem(res, 409);
      expect(res.body).toMatchObject({ code: 'preflight_failed', active_deployment_id: deploymentA.id });
      const failing = (res.body as { providers: { provider_id: string; status: string }[] }).providers;
      expect(failing).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ provider_id: providers.down.id, status: 'unreachable' }),
          expect.objectContaining({ provider_id: providers.stranger.id, status: 'incompatible' }),
        ]),
      );
      expect(failing).toHaveLength(2);
      expect(res.body.detail).toContain(providers.down.slug);
      expect(res.body.detail).toContain(providers.stranger.slug);

      expect((await deploymentById(deploymentA.id)).is_active).toBe(true);
      expect((await deploymentById(b.id)).is_active).toBe(false);
      const [attempt] = await attemptsOf(b.id);
      expect(attempt).toMatchObject({
        outcome: 'rejected',
        reason: 'preflight_failed',
        previous_deployment_id: deploymentA.id,
        actor_user_id: admin.user.id,
      });
      expect((attempt.preflight as { status: string }[]).map((p) => p.status).sort()).toEqual([
        'incompatible',
        'ok',
        'unreachable',
      ]);

      await sa().delete(`/v1/platform/deployments/${b.id}`).expect(204);
      expect(await attemptsOf(b.id)).toHaveLength(1);
    });

    it('refuses to delete the active deployment, a bound provider, or deactivate a bound model', async () => {
      const active = await sa().delete(`/v1/platform/deployments/${deploymentA.id}`);
      expectProblem(active, 409);
      expect(active.body).toMatchObject({ code: 'deployment_active' });
      const provider = await sa().delete(`/v1/platform/providers/${providers.llm.id}`);
      expectProblem(provider, 409);
      expect(provider.body).toMatchObject({ code: 'provider_in_use' });
      const model = await sa().post(`/v1/modelops/models/${models.localChat.id}/deactivate`);
      expectProblem(model, 409);
      expect(model.body).toMatchObject({ code: 'model_in_use' });
      expect(model.body.detail).toContain(deploymentA.slug);
    });
  });

  describe('data plane', () => {
    it('embeds through the active embeddings binding', async () => {
      const res = await sa().post('/v1/platform/embeddings').send({ input: 'hello world' }).expect(200);
      expect(res.body).toMatchObject({
        model: models.localEmbed.id,
        provider: { id: providers.embed.id, family: 'vllm_local', provider_origin: 'local' },
        dimensions: 8,
        data: [{ index: 0, embedding: expect.any(Array) }],
        usage: { prompt_tokens: 2, total_tokens: 2 },
      });
      expect(local.requests.at(-1)?.body).toEqual({ model: 'org/local-embed', input: ['hello world'] });
      const other = await sa()
        .post('/v1/platform/embeddings')
        .send({ input: ['x'], model: models.otherChat.id });
      expectProblem(other, 409);
      expect(other.body).toMatchObject({ code: 'model_not_bound' });
    });

    it('ensures, upserts, queries and deletes in the PostgreSQL store of the active binding', async () => {
      const ensured = await sa().post('/v1/platform/vector/indexes/ensure').send({}).expect(200);
      expect(ensured.body).toMatchObject({
        index: 'kb_main',
        dimension: 8,
        created: true,
        provider: { id: providers.vec.id },
      });
      await sa()
        .post('/v1/platform/vector/indexes/ensure')
        .send({ index: 'kb_main' })
        .expect(200, /"created":false/);
      const upserted = await sa()
        .post('/v1/platform/vector/documents/upsert')
        .send({
          documents: [
            { id: 'cats', text: 'cats purr and nap', metadata: { topic: 'cats' } },
            { id: 'dogs', text: 'dogs bark and fetch' },
            { id: 'boats', text: 'boats sail the sea' },
          ],
        })
        .expect(200);
      expect(upserted.body).toMatchObject({ index: 'kb_main', upserted: 3, embedded: 3 });
      const query = await sa().post('/v1/platform/vector/query').send({ query: 'cats purr', top_k: 2 }).expect(200);
      const results = (query.body as { results: { id: string; score: number }[] }).results;
      expect(results).toHaveLength(2);
      expect(results[0]).toMatchObject({ id: 'cats', text: 'cats purr and nap', metadata: { topic: 'cats' } });
      expect(results[0].score).toBeGreaterThan(results[1].score);
      const deleted = await sa()
        .post('/v1/platform/vector/documents/delete')
        .send({ ids: ['cats', 'nope'] })
        .expect(200);
      expect(deleted.body).toMatchObject({ deleted: 1 });
      const after = await sa().post('/v1/platform/vector/query').send({ query: 'cats purr' }).expect(200);
      expect((after.body as { results: { id: string }[] }).results.map((r) => r.id)).not.toContain('cats');

      const unbound = await sa()
        .post('/v1/platform/vector/query')
        .send({ index: 'elsewhere', vector: [1] });
      expectProblem(unbound, 409);
      expect(unbound.body).toMatchObject({ code: 'index_not_bound' });
      expectProblem(await sa().post('/v1/platform/vector/query').send({}), 422);
    });

    it('follows the active binding to Qdrant once the binding changes', async () => {
      await sa()
        .put(`/v1/platform/deployments/${deploymentA.id}/bindings/vector_store`)
        .send(binding('qdrant', ['kb_q']))
        .expect(200);
      const seen = qdrant.requests.length;
      await sa().post('/v1/platform/vector/indexes/ensure').send({}).expect(200);
      await sa()
        .post('/v1/platform/vector/documents/upsert')
        .send({
          documents: [
            { id: 'one', text: 'one fish' },
            { id: 'two', vector: embedVector('two fish') },
          ],
        })
        .expect(200);
      const res = await sa().post('/v1/platform/vector/query').send({ query: 'one fish', top_k: 1 }).expect(200);
      expect(res.body).toMatchObject({
        index: 'kb_q',
        provider: { id: providers.qdrant.id, family: 'qdrant_local' },
        results: [{ id: 'one' }],
      });
      expect(qdrant.requests.slice(seen).map((r) => `${r.method} ${r.path}`)).toEqual([
        'GET /collections/kb_q',
        'PUT /collections/kb_q',
        'PUT /collections/kb_q/points',
        'POST /collections/kb_q/points/search',
      ]);
      await sa()
        .put(`/v1/platform/deployments/${deploymentA.id}/bindings/vector_store`)
        .send(binding('vec', ['kb_main']))
        .expect(200);
    });
  });

  describe('inference (/v1/models)', () => {
    it('answers through the binding default for a user the model is shared with, and records usage', async () => {
      const refused = await as(member.key)
        .post('/v1/models/inference')
        .send({ messages: [{ role: 'user', content: 'ping' }] });
      expectProblem(refused, 403);
      expect(refused.body).toMatchObject({ code: 'model_not_shared' });

      await sa()
        .put('/v1/modelops/sharing')
        .send({ model_id: models.localChat.id, grants: [{ workspace_id: member.workspace.id, min_role: 'member' }] })
        .expect(200);
      const usageBefore = await usageCount(t.dataSource, models.localChat.id);
      const res = await as(member.key)
        .post('/v1/models/inference')
        .send({ messages: [{ role: 'user', content: 'say pong please' }], max_tokens: 5 })
        .expect(200);
      expect(res.body).toMatchObject({
        object: 'chat.completion',
        model: models.localChat.id,
        choices: [{ index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      });
      expect(local.requests.at(-1)?.body).toMatchObject({ model: 'org/local-chat', max_tokens: 5, stream: false });
      const rows = await usageRows(t.dataSource, models.localChat.id);
      expect(rows.length).toBe(usageBefore + 1);
      expect(rows[0]).toMatchObject({ input_tokens: 3, output_tokens: 2, workspace_id: member.workspace.id });

      const byName = await as(member.key)
        .post('/v1/models/generate')
        .send({ model: models.localChat.name, prompt: 'hi', system: 'be brief' })
        .expect(200);
      expect(byName.body).toEqual({
        model: models.localChat.id,
        output: 'pong',
        finish_reason: 'stop',
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      });
    });

    it('refuses a model outside the active binding', async () => {
      const res = await sa()
        .post('/v1/models/inference')
        .send({ model: models.otherChat.id, messages: [{ role: 'user', content: 'x' }] });
      expectProblem(res, 409);
      expect(res.body).toMatchObject({ code: 'model_not_bound' });
    });

    it('passes a stream through: the provider chunks, the usage chunk, then [DONE]; usage is recorded', async () => {
      const usageBefore = await usageCount(t.dataSource, models.localChat.id);
      const res = await sa()
        .post('/v1/models/inference')
        .send({ messages: [{ role: 'user', content: 'one two three' }], stream: true })
        .buffer(true)
        .parse((response, done) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => done(null, text));
        })
        .expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      const data = (res.body as string)
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6));
      expect(data.at(-1)).toBe('[DONE]');
      const frames = data
        .slice(0, -1)
        .map((d) => JSON.parse(d) as { choices: { delta?: { content?: string } }[]; usage?: unknown });
      expect(frames.map((f) => f.choices[0]?.delta?.content ?? '').join('')).toBe('pong');
      expect(frames.at(-1)).toMatchObject({
        choices: [],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      });
      expect(local.requests.at(-1)?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      const rows = await usageRows(t.dataSource, models.localChat.id);
      expect(rows.length).toBe(usageBefore + 1);
      expect(rows[0]).toMatchObject({ input_tokens: 3, output_tokens: 2 });
    });

    it('exports a resolver that other modules call', async () => {
      const resolver = t.app.get(PlatformRuntimeResolver);
      const resolved = await resolver.resolve('llm_inference');
      expect(resolved).toMatchObject({
        deployment: { id: deploymentA.id },
        provider: { id: providers.llm.id, provider_origin: 'local' },
        model: { id: models.localChat.id, runtime_model_id: 'org/local-chat' },
      });
      await expect(resolver.resolve('llm_inference', { model: models.otherChat.id })).rejects.toMatchObject({
        code: 'model_not_bound',
      });
      expect(await resolver.resolveVectorStore()).toMatchObject({
        index: 'kb_main',
        provider: { id: providers.vec.id },
      });
    });
  });

  describe('cloud providers', () => {
    it('dispatches to a cloud provider online with the decrypted key on the wire only', async () => {
      const validation = await sa().post(`/v1/platform/providers/${providers.cloud.id}/validate`).send({}).expect(200);
      expect(validation.body).toMatchObject({ status: 'success' });
      const clone = await sa()
        .post(`/v1/platform/deployments/${deploymentA.id}/clone`)
        .send({ slug: `cloud-${randomUUID().slice(0, 6)}`, display_name: 'Cloud' })
        .expect(201);
      await sa()
        .put(`/v1/platform/deployments/${clone.body.id}/bindings/llm_inference`)
        .send(binding('cloud', [models.cloudChat.id]))
        .expect(200);
      await sa().post(`/v1/platform/deployments/${clone.body.id}/activate`).expect(200);
      deploymentC = await deploymentById(clone.body.id as string);
      expect(deploymentC.bindings[0]).toMatchObject({
        capability: 'llm_inference',
        provider: { provider_origin: 'cloud' },
      });

      const before = cloud.requests.length;
      let text = '';
      const output = await captureStdout(async () => {
        const res = await sa()
          .post('/v1/models/inference')
          .send({ messages: [{ role: 'user', content: 'hi' }] })
          .expect(200);
        text = res.text;
      });
      expect(JSON.parse(text)).toMatchObject({
        model: models.cloudChat.id,
        choices: [{ message: { content: 'pong' } }],
      });
      const calls = cloud.requests.slice(before);
      expect(calls).toEqual([
        expect.objectContaining({ path: '/v1/chat/completions', authorization: `Bearer ${CLOUD_SECRET}` }),
      ]);
      expect(calls[0].body).toMatchObject({ model: 'gpt-double' });
      expect(text).not.toContain(CLOUD_SECRET);
      expect(output).not.toContain(CLOUD_SECRET);
    });
  });

  describe('offline runtime profile', () => {
    it('refuses to go offline while cloud bindings are active', async () => {
      const res = await sa().put('/v1/runtime/profile').send({ mode: 'offline' });
      expectProblem(res, 409);
      expect(res.body).toMatchObject({ code: 'offline_provider_blocked', providers: [{ id: providers.cloud.id }] });
      expect((await as(member.key).get('/v1/runtime/profile').expect(200)).body).toMatchObject({ mode: 'online' });
    });

    it('fails closed: no request reaches a cloud provider or the hub, and each blocked call answers 409', async () => {
      await sa().post(`/v1/platform/deployments/${deploymentA.id}/activate`).expect(200);
      const switched = await sa().put('/v1/runtime/profile').send({ mode: 'offline' }).expect(200);
      expect(switched.body).toMatchObject({ mode: 'offline', cloud_providers_allowed: false });
      expect((await as(member.key).get('/v1/runtime/profile').expect(200)).body).toMatchObject({ mode: 'offline' });

      outbound.length = 0;
      const cloudSeen = cloud.requests.length;
      const hubSeen = hub.requests.length;
      const blocked = (res: request.Response) => {
        expectProblem(res, 409);
        expect(res.body).toMatchObject({ code: 'offline_provider_blocked' });
      };

      // Cloud provider validation.
      blocked(await sa().post(`/v1/platform/providers/${providers.cloud.id}/validate`).send({}));
      // Activation of a deployment with cloud bindings (and the attempt is audited).
      blocked(await sa().post(`/v1/platform/deployments/${deploymentC.id}/activate`));
      const [attempt] = await attemptsOf(deploymentC.id);
      expect(attempt).toMatchObject({
        outcome: 'rejected',
        reason: 'offline_provider_blocked',
        preflight: [{ status: 'blocked' }],
      });
      // A cloud binding saved into the active deployment.
      blocked(
        await sa()
          .put(`/v1/platform/deployments/${deploymentA.id}/bindings/llm_inference`)
          .send(binding('cloud', [models.cloudChat.id])),
      );
      // Runtime dispatch: another replica flipped the profile while a cloud deployment was active.
      await t.dataSource.query(`UPDATE platform_deployments SET is_active = false WHERE is_active`);
      await t.dataSource.query(`UPDATE platform_deployments SET is_active = true WHERE id = $1`, [deploymentC.id]);
      blocked(
        await sa()
          .post('/v1/models/inference')
          .send({ messages: [{ role: 'user', content: 'hi' }] }),
      );
      blocked(await sa().post('/v1/models/generate').send({ prompt: 'hi', stream: true }));
      await expect(t.app.get(PlatformRuntimeResolver).resolve('llm_inference')).rejects.toMatchObject({
        code: 'offline_provider_blocked',
      });
      await t.dataSource.query(`UPDATE platform_deployments SET is_active = false WHERE is_active`);
      await t.dataSource.query(`UPDATE platform_deployments SET is_active = true WHERE id = $1`, [deploymentA.id]);
      // The adapters refuse too, whoever calls them.
      const cloudTarget = {
        id: providers.cloud.id,
        slug: providers.cloud.slug,
        family: 'openai_compatible_cloud_llm',
        origin: 'cloud' as const,
        adapter: 'openai_compatible' as const,
        capability: 'llm_inference' as const,
        endpointUrl: cloud.url,
        secretRefs: {},
        timeoutMs: 1000,
      };
      await expect(t.app.get(OpenAiCompatibleAdapter).listModels(cloudTarget)).rejects.toMatchObject({
        code: 'offline_provider_blocked',
      });
      // ModelOps: hub discovery goes through the egress policy platform-control installed.
      blocked(await sa().get('/v1/modelops/discovery/huggingface?query=llama'));

      // Local work goes on offline.
      await sa()
        .post('/v1/models/inference')
        .send({ messages: [{ role: 'user', content: 'still here' }] })
        .expect(200);
      await sa()
        .post('/v1/platform/embeddings')
        .send({ input: ['offline'] })
        .expect(200);

      expect(outbound.filter((url) => url.startsWith(cloud.origin) || url.startsWith(hub.origin))).toEqual([]);
      expect(outbound.length).toBeGreaterThan(0);
      expect(outbound.every((url) => url.startsWith(local.origin))).toBe(true);
      expect(cloud.requests.length).toBe(cloudSeen);
      expect(hub.requests.length).toBe(hubSeen);

      await sa().put('/v1/runtime/profile').send({ mode: 'online' }).expect(200);
      await sa().get('/v1/modelops/discovery/huggingface?query=llama').expect(200);
      expect(hub.requests.length).toBe(hubSeen + 1);
    });
  });

  describe('access', () => {
    it('answers 403 to non-superadmins on the control plane and the data plane', async () => {
      const id = randomUUID();
      for (const res of [
        await as(member.key).get('/v1/platform/deployments'),
        await as(member.key).post('/v1/platform/deployments').send({}),
        await as(member.key).patch(`/v1/platform/deployments/${id}`).send({}),
        await as(member.key).put(`/v1/platform/deployments/${id}/bindings/llm_inference`).send({}),
        await as(member.key).post(`/v1/platform/deployments/${deploymentA.id}/activate`),
        await as(member.key).post(`/v1/platform/deployments/${id}/clone`).send({}),
        await as(member.key).delete(`/v1/platform/deployments/${id}`),
        await as(member.key).get('/v1/platform/activation-audit'),
        await as(member.key)
          .post('/v1/platform/embeddings')
          .send({ input: ['x'] }),
        await as(member.key)
          .post('/v1/platform/vector/query')
          .send({ vector: [1] }),
        await as(member.key).post('/v1/platform/vector/documents/upsert').send({}),
        await as(member.key).post('/v1/platform/vector/documents/delete').send({}),
        await as(member.key).post('/v1/platform/vector/indexes/ensure').send({}),
      ]) {
        expectProblem(res, 403);
      }
      expect((await deploymentById(deploymentA.id)).is_active).toBe(true);
    });
  });
});

async function createModel(
  ds: DataSource,
  options: {
    hosting: 'cloud' | 'local';
    task: 'llm' | 'embeddings';
    sourceId?: string;
    providerModelId?: string;
    state?: 'active' | 'validated';
  },
): Promise<ModelEntity> {
  const repo = ds.getRepository(ModelEntity);
  return repo.save(
    repo.create({
      name: `model-${randomUUID().slice(0, 8)}`,
      hosting: options.hosting,
      task: options.task,
      provider: options.hosting === 'cloud' ? 'openai_compatible' : 'huggingface',
      providerModelId: options.providerModelId ?? null,
      sourceId: options.sourceId ?? null,
      lifecycleState: options.state ?? 'active',
      isValidationCurrent: true,
      lastValidationStatus: 'success',
      lastValidatedAt: new Date(),
      metadata: {},
    }),
  );
}

async function usageRows(ds: DataSource, modelId: string) {
  return ds.query<{ input_tokens: number; output_tokens: number; workspace_id: string | null }[]>(
    `SELECT input_tokens, output_tokens, workspace_id FROM modelops_model_usage WHERE model_id = $1 ORDER BY created_at DESC`,
    [modelId],
  );
}

async function usageCount(ds: DataSource, modelId: string): Promise<number> {
  return (await usageRows(ds, modelId)).length;
}

/** The double's embedding of a text (dimension 8), for documents that bring their own vector. */
function embedVector(text: string): number[] {
  return embed(text, 8);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
