import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { ModelEntity } from 'src/modules/modelops/models/entities/model.entity';
import { OpenAiCompatibleAdapter } from 'src/modules/platform-control/adapters/openai-compatible.adapter';
import { ProviderCallException } from 'src/modules/platform-control/adapters/provider-http.client';
import type { ProviderTarget } from 'src/modules/platform-control/adapters/provider-target';
import { VectorStoreRegistry } from 'src/modules/platform-control/adapters/vector-store.registry';
import { captureStdout } from 'test/fixtures/capture-stdout';
import { createTenant, expectProblem, type Tenant } from 'test/fixtures/factories';
import { embed, type OpenAiDouble, startOpenAiDouble } from 'test/fixtures/openai-double';
import {
  type QdrantDouble,
  startQdrantDouble,
  startWeaviateDouble,
  type WeaviateDouble,
} from 'test/fixtures/vector-doubles';
import { createTestApp, type TestApp, useTestEnvironment } from 'test/setup/test-app';

// Logs on, so the test can show that no credential reaches a log line.
useTestEnvironment({ OUTBOUND_ALLOW_PRIVATE: 'true', LOG_LEVEL: 'info' });
jest.setTimeout(60_000);

const SECRET = `sk-live-${randomUUID()}`;
const VECTOR_SECRET = `vec-${randomUUID()}`;

/**
 * Every provider family's adapter against real HTTP (an OpenAI-compatible server and Qdrant and
 * Weaviate doubles on loopback) and the PostgreSQL-backed vector store for real. Nothing here
 * touches the active deployment or the runtime profile (platform.e2e-spec.ts owns those).
 */
describe('platform adapters', () => {
  let t: TestApp;
  let admin: Tenant;
  let openai: OpenAiDouble;
  let qdrant: QdrantDouble;
  let weaviate: WeaviateDouble;
  let credentialRef: string;
  let vectorCredentialRef: string;

  const as = (key: string) => ({
    get: (path: string) => request(t.http).get(path).set('X-API-Key', key),
    post: (path: string) => request(t.http).post(path).set('X-API-Key', key),
    put: (path: string) => request(t.http).put(path).set('X-API-Key', key),
    delete: (path: string) => request(t.http).delete(path).set('X-API-Key', key),
  });

  async function saveCredential(secret: string): Promise<string> {
    const res = await as(admin.key)
      .post('/v1/modelops/credentials')
      .send({ name: `cred-${randomUUID().slice(0, 8)}`, provider: 'openai', secret })
      .expect(201);
    return `modelops://credential/${(res.body as { id: string }).id}`;
  }

  async function createProvider(body: Record<string, unknown>): Promise<{ id: string; [k: string]: unknown }> {
    const res = await as(admin.key)
      .post('/v1/platform/providers')
      .send({ slug: `p-${randomUUID().slice(0, 8)}`, display_name: 'Provider', ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  }

  const target = (over: Partial<ProviderTarget> = {}): ProviderTarget => ({
    id: randomUUID(),
    slug: 'adapter-probe',
    family: 'vllm_local',
    origin: 'local',
    adapter: 'openai_compatible',
    capability: 'llm_inference',
    endpointUrl: openai.url,
    secretRefs: { api_key: credentialRef },
    timeoutMs: 5000,
    ...over,
  });

  async function failureOf(promise: Promise<unknown>): Promise<ProviderCallException> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderCallException);
    return err as ProviderCallException;
  }

  beforeAll(async () => {
    openai = await startOpenAiDouble({ models: ['double-chat', 'double-embed'], apiKey: SECRET, dimension: 8 });
    qdrant = await startQdrantDouble({ apiKey: VECTOR_SECRET });
    weaviate = await startWeaviateDouble({ apiKey: VECTOR_SECRET });
    t = await createTestApp();
    admin = await createTenant(t.dataSource, { superadmin: true });
    credentialRef = await saveCredential(SECRET);
    vectorCredentialRef = await saveCredential(VECTOR_SECRET);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([openai.close(), qdrant.close(), weaviate.close()]);
  });
  beforeEach(() => {
    openai.failures = [];
    openai.delayMs = 0;
    openai.streamGapMs = 0;
  });

  describe('OpenAI-compatible (vllm_local, llama_cpp_local and the cloud families share it)', () => {
    it('validates a provider for real: models list and a dry-run chat with max_tokens 1, the decrypted key on the wire only', async () => {
      const provider = await createProvider({
        family: 'vllm_local',
        capability: 'llm_inference',
        endpoint_url: openai.url,
        secret_refs: { api_key: credentialRef },
      });
      const seen = openai.requests.length;
      let body: unknown;
      const output = await captureStdout(async () => {
        const res = await as(admin.key).post(`/v1/platform/providers/${provider.id}/validate`).send({}).expect(200);
        body = res.body;
      });
      expect(body).toMatchObject({
        provider_id: provider.id,
        status: 'success',
        advertised_models: ['double-chat', 'double-embed'],
        checks: [
          { name: 'models', status: 'pass' },
          { name: 'chat', status: 'pass' },
        ],
      });
      const calls = openai.requests.slice(seen);
      expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models', 'POST /v1/chat/completions']);
      expect(calls[1].body).toMatchObject({ model: 'double-chat', max_tokens: 1 });
      // The decrypted credential reached the wire, and nothing else.
      expect(calls.every((r) => r.authorization === `Bearer ${SECRET}`)).toBe(true);
      expect(output).toContain('"statusCode":200');
      expect(output).not.toContain(SECRET);
      expect(JSON.stringify(body)).not.toContain(SECRET);

      const listed = await as(admin.key).get('/v1/platform/providers').expect(200);
      const row = (listed.body as { id: string }[]).find((p) => p.id === provider.id);
      expect(row).toMatchObject({
        provider_origin: 'local',
        secret_refs: { api_key: credentialRef },
        last_validation: { status: 'success' },
      });
      expect(JSON.stringify(listed.body)).not.toContain(SECRET);
    });

    it('probes an embeddings provider with POST /embeddings', async () => {
      const provider = await createProvider({
        family: 'llama_cpp_local',
        capability: 'embeddings',
        endpoint_url: openai.url,
        secret_refs: { api_key: credentialRef },
      });
      const res = await as(admin.key)
        .post(`/v1/platform/providers/${provider.id}/validate`)
        .send({ model: 'double-embed' })
        .expect(200);
      expect(res.body).toMatchObject({
        status: 'success',
        checks: [{ name: 'models' }, { name: 'embeddings', status: 'pass' }],
      });
      expect(openai.requests.at(-1)).toMatchObject({
        path: '/v1/embeddings',
        authorization: `Bearer ${SECRET}`,
        body: { model: 'double-embed', input: ['ping'] },
      });
    });

    it('records a failed validation (wrong key: 401) without echoing the key the provider saw', async () => {
      const wrong = `sk-wrong-${randomUUID()}`;
      const provider = await createProvider({
        family: 'vllm_local',
        capability: 'llm_inference',
        endpoint_url: openai.url,
        secret_refs: { api_key: await saveCredential(wrong) },
      });
      let text = '';
      const output = await captureStdout(async () => {
        const res = await as(admin.key).post(`/v1/platform/providers/${provider.id}/validate`).send({}).expect(200);
        text = res.text;
        expect(res.body).toMatchObject({
          status: 'failed',
          checks: [
            { name: 'models', status: 'fail', code: 'provider_auth_failed' },
            { name: 'chat', status: 'skip' },
          ],
        });
      });
      expect(openai.requests.at(-1)?.authorization).toBe(`Bearer ${wrong}`);
      expect(text).toContain('[redacted]');
      expect(text).not.toContain(wrong);
      expect(output).not.toContain(wrong);
    });

    it('lists models, chats, and embeds through the adapter', async () => {
      const adapter = t.app.get(OpenAiCompatibleAdapter);
      expect(await adapter.listModels(target())).toEqual([
        { id: 'double-chat', owned_by: 'double' },
        { id: 'double-embed', owned_by: 'double' },
      ]);
      const completion = await adapter.chat(target(), {
        model: 'double-chat',
        messages: [{ role: 'user', content: 'say pong' }],
      });
      expect(completion).toMatchObject({
        choices: [{ message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 },
      });
      const embeddings = await adapter.embeddings(target(), 'double-embed', ['alpha beta', 'gamma']);
      expect(embeddings.vectors).toEqual([embed('alpha beta', 8), embed('gamma', 8)]);
      expect(embeddings.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    });

    it('streams a chat as the provider sent it: content chunks, the usage chunk, then [DONE]', async () => {
      const adapter = t.app.get(OpenAiCompatibleAdapter);
      const stream = await adapter.chatStream(target(), {
        model: 'double-chat',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(stream.contentType).toContain('text/event-stream');
      let raw = '';
      for await (const chunk of stream.chunks) raw += new TextDecoder().decode(chunk);
      const data = raw
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6));
      expect(data.at(-1)).toBe('[DONE]');
      const frames = data
        .slice(0, -1)
        .map((d) => JSON.parse(d) as { choices: { delta?: { content?: string } }[]; usage?: unknown });
      expect(frames.map((f) => f.choices[0]?.delta?.content ?? '').join('')).toBe('pong');
      expect(frames.at(-1)?.usage).toEqual({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
      expect(openai.requests.at(-1)?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    });

    it('classifies 401, 404, 429 and 5xx answers', async () => {
      const adapter = t.app.get(OpenAiCompatibleAdapter);
      const chat = () => adapter.chat(target(), { model: 'double-chat', messages: [{ role: 'user', content: 'x' }] });

      openai.failures = [{ status: 401, message: `Incorrect API key provided: Bearer ${SECRET}` }];
      const auth = await failureOf(chat());
      expect(auth).toMatchObject({ code: 'provider_auth_failed', upstreamStatus: 401 });
      expect(auth.getStatus()).toBe(502);
      expect(auth.message).not.toContain(SECRET);

      const missing = await failureOf(
        adapter.chat(target(), { model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
      );
      expect(missing).toMatchObject({ code: 'provider_not_found', upstreamStatus: 404 });
      expect(missing.message).toContain('no-such-model does not exist');

      openai.failures = [{ status: 429, retryAfter: '7' }];
      const limited = await failureOf(chat());
      expect(limited).toMatchObject({
        code: 'provider_rate_limited',
        upstreamStatus: 429,
        extras: { retryAfterSeconds: 7 },
      });
      expect(limited.getStatus()).toBe(429);

      for (const status of [500, 502, 503]) {
        openai.failures = [{ status }];
        const failed = await failureOf(chat());
        expect(failed).toMatchObject({ code: 'provider_error', upstreamStatus: status });
        expect(failed.getStatus()).toBe(502);
      }
    });

    it('times out a slow provider (JSON and between stream chunks) and reports an unreachable one', async () => {
      const adapter = t.app.get(OpenAiCompatibleAdapter);
      openai.delayMs = 400;
      const started = Date.now();
      const slow = await failureOf(adapter.listModels(target({ timeoutMs: 100 })));
      expect(slow).toMatchObject({ code: 'provider_timeout' });
      expect(slow.getStatus()).toBe(504);
      expect(Date.now() - started).toBeLessThan(400);

      openai.delayMs = 0;
      openai.streamGapMs = 400;
      const stream = await adapter.chatStream(target({ timeoutMs: 150 }), {
        model: 'double-chat',
        messages: [{ role: 'user', content: 'x' }],
      });
      const received: string[] = [];
      const read = (async () => {
        for await (const chunk of stream.chunks) received.push(new TextDecoder().decode(chunk));
      })();
      await expect(read).rejects.toMatchObject({ code: 'provider_timeout' });
      // The first chunk came through; the stall after it ended the call.
      expect(received.join('')).toContain('"role":"assistant"');
      openai.streamGapMs = 0;

      const closedPort = await freePort();
      const down = await failureOf(adapter.listModels(target({ endpointUrl: `http://127.0.0.1:${closedPort}/v1` })));
      expect(down).toMatchObject({ code: 'provider_unreachable' });
    });

    it('answers a timeout of validation as a failed check with the timeout code', async () => {
      const provider = await createProvider({
        family: 'vllm_local',
        capability: 'llm_inference',
        endpoint_url: openai.url,
        secret_refs: { api_key: credentialRef },
        config: { timeout_ms: 100 },
      });
      openai.delayMs = 400;
      const res = await as(admin.key).post(`/v1/platform/providers/${provider.id}/validate`).send({}).expect(200);
      expect(res.body).toMatchObject({
        status: 'failed',
        checks: [
          { name: 'models', status: 'fail', code: 'provider_timeout' },
          { name: 'chat', status: 'skip' },
        ],
      });
    });
  });

  describe('Qdrant (qdrant_local)', () => {
    it('speaks the documented routes with the key on the wire', async () => {
      const provider = await createProvider({
        family: 'qdrant_local',
        endpoint_url: qdrant.origin,
        secret_refs: { api_key: vectorCredentialRef },
      });
      const validation = await as(admin.key)
        .post(`/v1/platform/providers/${provider.id}/validate`)
        .send({})
        .expect(200);
      expect(validation.body).toMatchObject({ status: 'success', checks: [{ name: 'health', status: 'pass' }] });

      const qt = target({
        id: provider.id,
        family: 'qdrant_local',
        adapter: 'qdrant',
        capability: 'vector_store',
        endpointUrl: qdrant.origin,
        secretRefs: { api_key: vectorCredentialRef },
      });
      const store = t.app.get(VectorStoreRegistry).for(qt);
      const seen = qdrant.requests.length;
      const output = await captureStdout(async () => {
        expect(await store.ensureIndex(qt, 'docs', 3)).toEqual({ created: true, dimension: 3 });
        expect(await store.ensureIndex(qt, 'docs', 3)).toEqual({ created: false, dimension: 3 });
        await expect(store.ensureIndex(qt, 'docs', 4)).rejects.toMatchObject({ code: 'dimension_mismatch' });
        expect(
          await store.upsert(qt, 'docs', [
            { id: 'a', vector: [1, 0, 0], text: 'alpha', metadata: { n: 1 } },
            { id: 'b', vector: [0, 1, 0], text: 'beta', metadata: {} },
          ]),
        ).toBe(2);
        const hits = await store.query(qt, 'docs', [0.9, 0.1, 0], 2);
        expect(hits.map((h) => h.id)).toEqual(['a', 'b']);
        expect(hits[0]).toMatchObject({ text: 'alpha', metadata: { n: 1 } });
        expect(hits[0].score).toBeGreaterThan(0.9);
        expect(await store.delete(qt, 'docs', ['a', 'missing'])).toBe(1);
        expect((await store.query(qt, 'docs', [1, 0, 0], 5)).map((h) => h.id)).toEqual(['b']);
      });
      const calls = qdrant.requests.slice(seen);
      expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual([
        'GET /collections/docs',
        'PUT /collections/docs',
        'GET /collections/docs',
        'GET /collections/docs',
        'PUT /collections/docs/points',
        'POST /collections/docs/points/search',
        'POST /collections/docs/points',
        'POST /collections/docs/points/delete',
        'POST /collections/docs/points/search',
      ]);
      expect(calls[1].body).toEqual({ vectors: { size: 3, distance: 'Cosine' } });
      expect(
        calls.every((r) => r.authorization === `Bearer ${VECTOR_SECRET}` && r.apiKeyHeader === VECTOR_SECRET),
      ).toBe(true);
      expect(output).not.toContain(VECTOR_SECRET);
    });

    it('fails validation with a wrong key as an auth failure', async () => {
      const provider = await createProvider({
        family: 'qdrant_local',
        endpoint_url: qdrant.origin,
        secret_refs: { api_key: credentialRef },
      });
      const res = await as(admin.key).post(`/v1/platform/providers/${provider.id}/validate`).send({}).expect(200);
      expect(res.body).toMatchObject({ status: 'failed', checks: [{ name: 'health', code: 'provider_auth_failed' }] });
    });
  });

  describe('Weaviate (weaviate_local)', () => {
    it('speaks the documented routes (schema, batch objects, GraphQL nearVector, objects) with the key on the wire', async () => {
      const provider = await createProvider({
        family: 'weaviate_local',
        endpoint_url: weaviate.origin,
        secret_refs: { api_key: vectorCredentialRef },
      });
      const validation = await as(admin.key)
        .post(`/v1/platform/providers/${provider.id}/validate`)
        .send({})
        .expect(200);
      expect(validation.body).toMatchObject({ status: 'success', checks: [{ name: 'health', status: 'pass' }] });

      const wt = target({
        id: provider.id,
        family: 'weaviate_local',
        adapter: 'weaviate',
        capability: 'vector_store',
        endpointUrl: weaviate.origin,
        secretRefs: { api_key: vectorCredentialRef },
      });
      const store = t.app.get(VectorStoreRegistry).for(wt);
      const seen = weaviate.requests.length;
      expect(await store.ensureIndex(wt, 'articles', 3)).toEqual({ created: true, dimension: 3 });
      expect(await store.ensureIndex(wt, 'articles', 3)).toEqual({ created: false, dimension: 3 });
      await expect(store.ensureIndex(wt, 'articles', 5)).rejects.toMatchObject({ code: 'dimension_mismatch' });
      await store.upsert(wt, 'articles', [
        { id: 'x', vector: [0, 0, 1], text: 'ex', metadata: { lang: 'en' } },
        { id: 'y', vector: [0, 1, 0], text: 'why', metadata: {} },
      ]);
      const hits = await store.query(wt, 'articles', [0, 0.2, 1], 1);
      expect(hits).toEqual([{ id: 'x', score: expect.closeTo(0.98, 2), text: 'ex', metadata: { lang: 'en' } }]);
      expect(await store.delete(wt, 'articles', ['y', 'nope'])).toBe(1);

      const calls = weaviate.requests.slice(seen);
      expect(calls.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}$/, '{id}')}`)).toEqual([
        'GET /v1/schema/Articles',
        'POST /v1/schema',
        'GET /v1/schema/Articles',
        'GET /v1/schema/Articles',
        'POST /v1/batch/objects',
        'POST /v1/graphql',
        'DELETE /v1/objects/Articles/{id}',
        'DELETE /v1/objects/Articles/{id}',
      ]);
      expect(calls[1].body).toMatchObject({ class: 'Articles', vectorizer: 'none' });
      expect(String((calls[5].body as { query: string }).query)).toContain('nearVector');
      expect(calls.every((r) => r.authorization === `Bearer ${VECTOR_SECRET}`)).toBe(true);
    });
  });

  describe('PostgreSQL vectors (pgvector_local)', () => {
    it('stores vectors in PostgreSQL and ranks them by cosine similarity computed in SQL', async () => {
      const provider = await createProvider({ family: 'pgvector_local' });
      const validation = await as(admin.key)
        .post(`/v1/platform/providers/${provider.id}/validate`)
        .send({})
        .expect(200);
      expect(validation.body).toMatchObject({ status: 'success', checks: [{ name: 'health', status: 'pass' }] });

      const pt = target({
        id: provider.id,
        family: 'pgvector_local',
        adapter: 'pgvector',
        capability: 'vector_store',
        endpointUrl: null,
        secretRefs: {},
      });
      const store = t.app.get(VectorStoreRegistry).for(pt);
      await expect(store.query(pt, 'notes', [1, 0], 1)).rejects.toMatchObject({ code: 'index_not_found' });
      expect(await store.ensureIndex(pt, 'notes', 2)).toEqual({ created: true, dimension: 2 });
      expect(await store.ensureIndex(pt, 'notes', 2)).toEqual({ created: false, dimension: 2 });
      await expect(store.ensureIndex(pt, 'notes', 3)).rejects.toMatchObject({ code: 'dimension_mismatch' });
      await store.upsert(pt, 'notes', [
        { id: 'east', vector: [1, 0], text: 'e', metadata: { d: 'e' } },
        { id: 'north', vector: [0, 1], text: 'n', metadata: {} },
        { id: 'northeast', vector: [1, 1], text: 'ne', metadata: {} },
      ]);
      await store.upsert(pt, 'notes', [{ id: 'north', vector: [0, 2], text: 'N', metadata: { v: 2 } }]);
      const hits = await store.query(pt, 'notes', [0.1, 1], 3);
      expect(hits.map((h) => h.id)).toEqual(['north', 'northeast', 'east']);
      expect(hits[0]).toMatchObject({ text: 'N', metadata: { v: 2 } });
      expect(hits[0].score).toBeCloseTo(1 / Math.sqrt(1.01), 6);
      await expect(
        store.upsert(pt, 'notes', [{ id: 'z', vector: [1, 2, 3], text: null, metadata: {} }]),
      ).rejects.toMatchObject({
        code: 'dimension_mismatch',
      });
      expect(await store.delete(pt, 'notes', ['east', 'ghost'])).toBe(1);
      const rows = await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM platform_vector_documents WHERE provider_id = $1',
        [provider.id],
      );
      expect(rows[0].n).toBe(2);
    });
  });

  describe('provider instances', () => {
    it('refuses what a family does not allow', async () => {
      const post = (body: Record<string, unknown>) =>
        as(admin.key)
          .post('/v1/platform/providers')
          .send({ slug: `p-${randomUUID().slice(0, 8)}`, display_name: 'P', ...body });
      expectProblem(await post({ family: 'no_such_family', endpoint_url: openai.url }), 422);
      const ambiguous = await post({ family: 'vllm_local', endpoint_url: openai.url });
      expectProblem(ambiguous, 422);
      expect(ambiguous.body).toMatchObject({ errors: [{ field: 'capability' }] });
      expect(
        (await post({ family: 'qdrant_local', capability: 'llm_inference', endpoint_url: qdrant.origin })).body,
      ).toMatchObject({
        code: 'capability_not_supported',
      });
      expect((await post({ family: 'qdrant_local' })).body).toMatchObject({ code: 'endpoint_required' });
      expectProblem(await post({ family: 'pgvector_local', endpoint_url: openai.url }), 422);
      const literal = await post({
        family: 'qdrant_local',
        endpoint_url: qdrant.origin,
        secret_refs: { api_key: 'sk-literal' },
      });
      expectProblem(literal, 422);
      expect(literal.body).toMatchObject({ errors: [{ field: 'secret_refs.api_key' }] });
      expectProblem(await post({ family: 'qdrant_local', endpoint_url: 'file:///etc/passwd' }), 422);
    });

    it('keeps the family (and its origin) fixed, and the slug unique', async () => {
      const provider = await createProvider({ family: 'qdrant_local', endpoint_url: qdrant.origin });
      const slug = provider.slug as string;
      const replaced = await as(admin.key)
        .put(`/v1/platform/providers/${provider.id}`)
        .send({ slug, display_name: 'Renamed', family: 'qdrant_local', endpoint_url: `${qdrant.origin}/` })
        .expect(200);
      expect(replaced.body).toMatchObject({
        display_name: 'Renamed',
        provider_origin: 'local',
        family: 'qdrant_local',
      });
      const moved = await as(admin.key)
        .put(`/v1/platform/providers/${provider.id}`)
        .send({ slug, display_name: 'R', family: 'openai_compatible_cloud_llm', endpoint_url: openai.url });
      expectProblem(moved, 409);
      expect(moved.body).toMatchObject({ code: 'family_immutable' });
      const duplicate = await as(admin.key)
        .post('/v1/platform/providers')
        .send({ slug, display_name: 'Again', family: 'qdrant_local', endpoint_url: qdrant.origin });
      expectProblem(duplicate, 409);
      expect(duplicate.body).toMatchObject({ code: 'slug_taken' });
      await as(admin.key).delete(`/v1/platform/providers/${provider.id}`).expect(204);
      expectProblem(await as(admin.key).delete(`/v1/platform/providers/${provider.id}`), 404);
    });

    it('sets and clears the loaded-model slot of local model runtimes only', async () => {
      const local = await createModel(t.dataSource, { hosting: 'local', task: 'llm' });
      const cloud = await createModel(t.dataSource, { hosting: 'cloud', task: 'llm' });
      const runtime = await createProvider({
        family: 'vllm_local',
        capability: 'llm_inference',
        endpoint_url: openai.url,
      });
      const set = await as(admin.key)
        .post(`/v1/platform/providers/${runtime.id}/loaded-model`)
        .send({ managed_model_id: local.id })
        .expect(200);
      expect(set.body).toMatchObject({ loaded_model: { managed_model_id: local.id, name: local.name } });
      expect(
        (
          await as(admin.key)
            .post(`/v1/platform/providers/${runtime.id}/loaded-model`)
            .send({ managed_model_id: cloud.id })
        ).body,
      ).toMatchObject({ code: 'loaded_model_not_supported' });
      expectProblem(
        await as(admin.key)
          .post(`/v1/platform/providers/${runtime.id}/loaded-model`)
          .send({ managed_model_id: randomUUID() }),
        404,
      );
      const cleared = await as(admin.key).delete(`/v1/platform/providers/${runtime.id}/loaded-model`).expect(200);
      expect(cleared.body).toMatchObject({ loaded_model: null });

      const vector = await createProvider({ family: 'qdrant_local', endpoint_url: qdrant.origin });
      const refused = await as(admin.key)
        .post(`/v1/platform/providers/${vector.id}/loaded-model`)
        .send({ managed_model_id: local.id });
      expectProblem(refused, 422);
      expect(refused.body).toMatchObject({ code: 'loaded_model_not_supported' });
    });

    it('offers local runtimes and their slots to ModelOps tests, without their key in the answer', async () => {
      const model = await createModel(t.dataSource, { hosting: 'local', task: 'llm' });
      const runtime = await createProvider({
        family: 'vllm_local',
        capability: 'llm_inference',
        endpoint_url: openai.url,
        secret_refs: { api_key: credentialRef },
      });
      await as(admin.key)
        .post(`/v1/platform/providers/${runtime.id}/loaded-model`)
        .send({ managed_model_id: model.id })
        .expect(200);
      const res = await as(admin.key).get(`/v1/modelops/models/${model.id}/test-runtimes`).expect(200);
      const mine = (res.body as { runtimes: { id: string }[] }).runtimes.find((r) => r.id === runtime.id);
      expect(mine).toMatchObject({
        kind: 'local',
        provider: 'vllm_local',
        slot_state: 'loaded',
        loaded_model_id: model.id,
        runtime_model_id: 'double-chat',
        serving: true,
      });
      expect(res.text).not.toContain(SECRET);
    });

    it('refuses to delete a credential a provider refers to', async () => {
      const ref = await saveCredential(`sk-${randomUUID()}`);
      await createProvider({ family: 'qdrant_local', endpoint_url: qdrant.origin, secret_refs: { api_key: ref } });
      const res = await as(admin.key).delete(`/v1/modelops/credentials/${ref.split('/').pop()}`);
      expectProblem(res, 409);
      expect(res.body).toMatchObject({ code: 'credential_in_use' });
    });
  });

  describe('access', () => {
    it('lets any member read the capabilities and the runtime profile, and nothing else of the control plane', async () => {
      const member = await createTenant(t.dataSource, { role: 'member' });
      const capabilities = await as(member.key).get('/v1/platform/capabilities').expect(200);
      expect((capabilities.body as { key: string }[]).map((c) => c.key)).toEqual([
        'llm_inference',
        'embeddings',
        'vector_store',
        'mcp_runtime',
        'sandbox_execution',
      ]);
      expect(capabilities.body[0]).toMatchObject({
        required: true,
        provider_families: ['vllm_local', 'llama_cpp_local', 'openai_compatible_cloud_llm'],
      });
      await as(member.key).get('/v1/runtime/profile').expect(200);
      const id = randomUUID();
      for (const res of [
        await as(member.key).get('/v1/platform/provider-families'),
        await as(member.key).get('/v1/platform/providers'),
        await as(member.key).post('/v1/platform/providers').send({}),
        await as(member.key).post(`/v1/platform/providers/${id}/validate`).send({}),
        await as(member.key).post(`/v1/platform/providers/${id}/loaded-model`).send({}),
        await as(member.key).put('/v1/runtime/profile').send({ mode: 'offline' }),
      ]) {
        expectProblem(res, 403);
      }
    });

    it('lists the seeded families with their fixed origin', async () => {
      const res = await as(admin.key).get('/v1/platform/provider-families').expect(200);
      const origins = Object.fromEntries(
        (res.body as { key: string; provider_origin: string }[]).map((f) => [f.key, f.provider_origin]),
      );
      expect(origins).toEqual({
        vllm_local: 'local',
        llama_cpp_local: 'local',
        openai_compatible_cloud_llm: 'cloud',
        openai_compatible_cloud_embeddings: 'cloud',
        weaviate_local: 'local',
        qdrant_local: 'local',
        pgvector_local: 'local',
        mcp_gateway_local: 'local',
        sandbox_local: 'local',
      });
    });
  });
});

/** A managed model as ModelOps would hold it after register → validate → activate. */
async function createModel(
  ds: DataSource,
  options: { hosting: 'cloud' | 'local'; task: 'llm' | 'embeddings' },
): Promise<ModelEntity> {
  const repo = ds.getRepository(ModelEntity);
  return repo.save(
    repo.create({
      name: `model-${randomUUID().slice(0, 8)}`,
      hosting: options.hosting,
      task: options.task,
      provider: options.hosting === 'cloud' ? 'openai_compatible' : 'huggingface',
      providerModelId: options.hosting === 'cloud' ? 'double-chat' : null,
      sourceId: options.hosting === 'local' ? 'org/double-chat' : null,
      lifecycleState: 'active',
      isValidationCurrent: true,
      lastValidationStatus: 'success',
      lastValidatedAt: new Date(),
      metadata: {},
    }),
  );
}

/** A loopback port nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
