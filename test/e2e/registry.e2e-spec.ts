import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CatalogReader } from 'src/modules/catalog/catalog-reader';
import { CatalogHooks } from 'src/modules/catalog/catalog.hooks';
import { ModelEntity } from 'src/modules/modelops/models/entities/model.entity';
import { sdkListToolsResult, superadminIn, unique, uniqueKey, WEATHER_SCHEMA } from 'test/fixtures/catalog';
import { countRows, createTenant, expectProblem, joinTenant, type Tenant } from 'test/fixtures/factories';
import { createTestApp, type TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment();
jest.setTimeout(60_000);

const REGISTRY_TABLES = ['registry_entries', 'registry_versions'];

interface CatalogAgent {
  id: string;
  key: string;
  version: number;
  current_version: number;
  classification: string;
  owner_user_id: string | null;
  system_prompt: string;
}

/** The typed catalog (agents, tools) and the registry behind it: versions, seeds, deletion rules. */
describe('catalog registry', () => {
  let t: TestApp;
  let owner: Tenant;
  let member: { key: string; user: { id: string } };
  let otherMember: { key: string; user: { id: string } };
  let viewer: { key: string };
  let admin: { userId: string; key: string };
  let stranger: Tenant;
  let strangerAdmin: { userId: string; key: string };

  const as = (key: string) => ({
    get: (path: string) => request(t.http).get(path).set('X-API-Key', key),
    post: (path: string) => request(t.http).post(path).set('X-API-Key', key),
    put: (path: string) => request(t.http).put(path).set('X-API-Key', key),
    delete: (path: string) => request(t.http).delete(path).set('X-API-Key', key),
  });
  const counts = () => countRows(t.dataSource, REGISTRY_TABLES);

  const agentSpec = (prompt: string, allowed: string[] = ['tool.web_search']) => ({
    display_name: 'Support triage',
    system_prompt: prompt,
    model_selection: {
      mode: 'provider_model',
      provider: 'openai',
      model: 'gpt-4o-mini',
      parameters: { temperature: 0.1 },
    },
    tool_policy: { allowed_tools: allowed },
    workflow: { max_steps: 8, max_retries: 1 },
  });

  async function createUserAgent(ownerUserId: string, allowed?: string[]): Promise<CatalogAgent> {
    const res = await as(admin.key)
      .post('/v1/catalog/agents')
      .send({ key: uniqueKey('agent'), owner_user_id: ownerUserId, ...agentSpec('v1 prompt', allowed) });
    expect(res.status).toBe(201);
    return res.body as CatalogAgent;
  }

  async function platformEntry(kind: 'agents' | 'tools', key: string): Promise<{ id: string }> {
    const list = await as(admin.key)
      .get(`/v1/catalog/${kind}`)
      .query({ classification: 'platform', limit: 1000 })
      .expect(200);
    return (list.body.data as { id: string; key: string }[]).find((e) => e.key === key)!;
  }

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t.dataSource, { role: 'owner' });
    member = await joinTenant(t.dataSource, owner, 'member');
    otherMember = await joinTenant(t.dataSource, owner, 'member');
    viewer = await joinTenant(t.dataSource, owner, 'viewer');
    admin = await superadminIn(t.dataSource, owner);
    stranger = await createTenant(t.dataSource, { role: 'owner' });
    strangerAdmin = await superadminIn(t.dataSource, stranger);
  });
  afterAll(() => t.close());

  it('seeds the platform agent and tools at bootstrap, once, even when bootstraps race', async () => {
    await Promise.all([
      t.app.get(CatalogHooks).onApplicationBootstrap(),
      t.app.get(CatalogHooks).onApplicationBootstrap(),
    ]);
    const rows: { kind: string; key: string; classification: string; workspace_id: string | null; n: number }[] =
      await t.dataSource.query(
        `SELECT e.kind, e.key, e.classification, e.workspace_id, count(v.id)::int AS n FROM registry_entries e
           JOIN registry_versions v ON v.entry_id = e.id
          WHERE e.key IN ('agent.knowledge_chat', 'tool.web_search', 'tool.python_exec') GROUP BY 1, 2, 3, 4 ORDER BY 2`,
      );
    expect(rows).toEqual([
      { kind: 'agent', key: 'agent.knowledge_chat', classification: 'platform', workspace_id: null, n: 1 },
      { kind: 'tool', key: 'tool.python_exec', classification: 'platform', workspace_id: null, n: 1 },
      { kind: 'tool', key: 'tool.web_search', classification: 'platform', workspace_id: null, n: 1 },
    ]);
    const agent = await platformEntry('agents', 'agent.knowledge_chat');
    const got = await as(strangerAdmin.key).get(`/v1/catalog/agents/${agent.id}`).expect(200);
    expect(got.body).toMatchObject({
      classification: 'platform',
      workspace_id: null,
      status: 'active',
      model_selection: { mode: 'deployment_default' },
      tool_policy: { allowed_tools: ['tool.web_search'] },
    });
    const tools = await as(admin.key).get('/v1/catalog/tools').query({ classification: 'platform' }).expect(200);
    expect(tools.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'tool.web_search', name: 'web_search', transport: 'mcp', online_only: true }),
        expect.objectContaining({ key: 'tool.python_exec', name: 'python_exec', transport: 'sandbox_http' }),
      ]),
    );
  });

  it('keeps every catalog and registry route for superadmins (401 without a key, 403 otherwise)', async () => {
    const agent = await platformEntry('agents', 'agent.knowledge_chat');
    const routes: [method: 'get' | 'post' | 'put', path: string][] = [
      ['get', '/v1/catalog/agents'],
      ['post', '/v1/catalog/agents'],
      ['get', `/v1/catalog/agents/${agent.id}`],
      ['put', `/v1/catalog/agents/${agent.id}`],
      ['post', `/v1/catalog/agents/${agent.id}/validate`],
      ['get', `/v1/catalog/agents/${agent.id}/versions`],
      ['get', '/v1/catalog/tools'],
      ['post', '/v1/catalog/tools'],
      ['post', '/v1/registry/models'],
      ['post', '/v1/registry/agents'],
      ['post', '/v1/registry/tools'],
      ['get', '/v1/registry/agents/agent.knowledge_chat'],
    ];
    const before = await counts();
    for (const [method, path] of routes) {
      expectProblem(await request(t.http)[method](path).send({}), 401);
      for (const key of [owner.key, member.key]) {
        const res = await as(key)[method](path).send({ key: 'agent.x', spec: {} });
        expectProblem(res, 403);
        expect(res.body.code).toBe('insufficient_role');
      }
    }
    expectProblem(await as(viewer.key).delete(`/v1/catalog/agents/${agent.id}`), 403);
    expect(await counts()).toEqual(before);
  });

  it('writes a new immutable version on every update: two updates leave three readable versions', async () => {
    const agent = await createUserAgent(member.user.id);
    expect(agent).toMatchObject({
      version: 1,
      current_version: 1,
      classification: 'user',
      owner_user_id: member.user.id,
    });
    const v2 = await as(admin.key).put(`/v1/catalog/agents/${agent.id}`).send(agentSpec('v2 prompt')).expect(200);
    expect(v2.body).toMatchObject({
      version: 2,
      system_prompt: 'v2 prompt',
      key: agent.key,
      owner_user_id: member.user.id,
    });
    await as(admin.key)
      .put(`/v1/catalog/agents/${agent.id}`)
      .send({ ...agentSpec('v3 prompt', []), status: 'inactive' })
      .expect(200);

    const current = await as(admin.key).get(`/v1/catalog/agents/${agent.id}`).expect(200);
    expect(current.body).toMatchObject({
      version: 3,
      system_prompt: 'v3 prompt',
      status: 'inactive',
      tool_policy: { allowed_tools: [] },
      workflow: { max_steps: 8, max_retries: 1, step_timeout_seconds: 120, run_timeout_seconds: 900 },
    });
    const versions = await as(admin.key).get(`/v1/catalog/agents/${agent.id}/versions`).expect(200);
    expect(versions.body.data.map((v: { version: number; is_current: boolean }) => [v.version, v.is_current])).toEqual([
      [3, true],
      [2, false],
      [1, false],
    ]);
    const paged = await as(admin.key).get(`/v1/catalog/agents/${agent.id}/versions`).query({ limit: 2 }).expect(200);
    const rest = await as(admin.key)
      .get(`/v1/catalog/agents/${agent.id}/versions`)
      .query({ limit: 2, cursor: paged.body.next_cursor })
      .expect(200);
    expect(rest.body.data.map((v: { version: number }) => v.version)).toEqual([1]);
    const first = await as(admin.key).get(`/v1/catalog/agents/${agent.id}/versions/1`).expect(200);
    expect(first.body).toMatchObject({ version: 1, current_version: 3, system_prompt: 'v1 prompt', status: 'active' });
    expect(first.body.tool_policy.allowed_tools).toEqual(['tool.web_search']);
    expectProblem(await as(admin.key).get(`/v1/catalog/agents/${agent.id}/versions/4`), 404);
    const byKey = await as(admin.key).get(`/v1/registry/agents/${agent.key}`).query({ version: 2 }).expect(200);
    expect(byKey.body).toMatchObject({ version: 2, is_current: false, spec: { system_prompt: 'v2 prompt' } });

    // Versions are immutable in the database itself.
    await expect(
      t.dataSource.query(`UPDATE registry_versions SET spec = '{}' WHERE entry_id = $1 AND version = 1`, [agent.id]),
    ).rejects.toThrow(/immutable/);
  });

  it('the platform agent refuses deletion; a member who is not the owner gets 403; the owner deletes', async () => {
    const platform = await platformEntry('agents', 'agent.knowledge_chat');
    const agent = await createUserAgent(member.user.id);
    const before = await counts();
    for (const key of [admin.key, member.key]) {
      const res = await as(key).delete(`/v1/catalog/agents/${platform.id}`);
      expectProblem(res, 409);
      expect(res.body).toMatchObject({
        code: 'platform_entry_protected',
        detail: expect.stringContaining('platform agent'),
      });
    }
    const notOwner = await as(otherMember.key).delete(`/v1/catalog/agents/${agent.id}`);
    expectProblem(notOwner, 403);
    expect(notOwner.body.code).toBe('not_owner');
    expectProblem(await as(stranger.key).delete(`/v1/catalog/agents/${agent.id}`), 404);
    expect(await counts()).toEqual(before);

    await as(member.key).delete(`/v1/catalog/agents/${agent.id}`).expect(204);
    expectProblem(await as(admin.key).get(`/v1/catalog/agents/${agent.id}`), 404);
    const [left] = await t.dataSource.query(`SELECT count(*)::int AS n FROM registry_versions WHERE entry_id = $1`, [
      agent.id,
    ]);
    expect(left.n).toBe(0);
    // A superadmin may delete anyone's user agent.
    const another = await createUserAgent(otherMember.user.id);
    await as(admin.key).delete(`/v1/catalog/agents/${another.id}`).expect(204);
  });

  it('allows tool transports mcp and sandbox_http only, and names a missing MCP server, changing nothing', async () => {
    const before = await counts();
    const http = await as(admin.key)
      .post('/v1/catalog/tools')
      .send({ key: uniqueKey('tool'), display_name: 'X', transport: 'http', input_schema: { type: 'object' } });
    expectProblem(http, 422);
    expect(http.body.errors).toContainEqual({
      field: 'transport',
      message: 'transport must be one of mcp, sandbox_http',
    });
    const registry = await as(admin.key)
      .post('/v1/registry/tools')
      .send({
        key: uniqueKey('tool'),
        spec: { display_name: 'X', transport: 'grpc', input_schema: { type: 'object' } },
      });
    expectProblem(registry, 422);
    expect(registry.body.errors).toContainEqual({
      field: 'spec.transport',
      message: 'transport must be one of mcp, sandbox_http',
    });

    const missing = randomUUID();
    const noServer = await as(admin.key)
      .post('/v1/catalog/tools')
      .send({
        key: uniqueKey('tool'),
        display_name: 'X',
        transport: 'mcp',
        mcp: { server_id: missing, tool_name: 'x' },
      });
    expectProblem(noServer, 422);
    expect(noServer.body).toMatchObject({ code: 'unknown_reference', detail: expect.stringContaining(missing) });
    expect(noServer.body.errors).toEqual([
      { field: 'mcp.server_id', message: `no MCP server ${missing} in this workspace` },
    ]);
    // Another workspace's server is as missing as one that never existed.
    const foreign = await as(stranger.key)
      .post('/v1/mcp-servers')
      .send({ name: unique('mcp'), transport: 'stdio', command: 'node' })
      .expect(201);
    expectProblem(
      await as(admin.key)
        .post('/v1/catalog/tools')
        .send({
          key: uniqueKey('tool'),
          display_name: 'X',
          transport: 'mcp',
          mcp: { server_id: foreign.body.id, tool_name: 'x' },
        }),
      422,
    );
    const badSchema = await as(admin.key)
      .post('/v1/catalog/tools')
      .send({
        key: uniqueKey('tool'),
        display_name: 'X',
        transport: 'sandbox_http',
        sandbox_http: { operation: 'x' },
        input_schema: { type: 'object', properties: { a: { type: 'bogus' } } },
      });
    expectProblem(badSchema, 422);
    expect(badSchema.body.code).toBe('invalid_json_schema');
    expectProblem(
      await as(admin.key)
        .post('/v1/catalog/tools')
        .send({
          key: uniqueKey('tool'),
          display_name: 'X',
          transport: 'sandbox_http',
          input_schema: { type: 'object' },
        }),
      422,
    );
    expect(await counts()).toEqual(before);
  });

  it('answers 409 for a duplicate key or a user key shadowing a platform one, changing nothing', async () => {
    const agent = await createUserAgent(member.user.id);
    const before = await counts();
    const dup = await as(admin.key)
      .post('/v1/catalog/agents')
      .send({ key: agent.key, ...agentSpec('x') });
    expectProblem(dup, 409);
    expect(dup.body).toMatchObject({ code: 'name_taken', detail: expect.stringContaining(agent.key) });
    expectProblem(
      await as(admin.key)
        .post('/v1/catalog/agents')
        .send({ key: 'agent.knowledge_chat', ...agentSpec('x') }),
      409,
    );
    expectProblem(
      await as(admin.key)
        .post('/v1/catalog/agents')
        .send({ key: agent.key, classification: 'platform', ...agentSpec('x') }),
      409,
    );
    expectProblem(
      await as(admin.key)
        .post('/v1/registry/agents')
        .send({ key: agent.key, classification: 'platform', spec: agentSpec('x') }),
      409,
    );
    expect(await counts()).toEqual(before);
    // Keys are per workspace: another workspace may use the same key for its own agent.
    await as(strangerAdmin.key)
      .post('/v1/catalog/agents')
      .send({ key: agent.key, ...agentSpec('x') })
      .expect(201);
  });

  it('checks tool policies and model selections against the catalog and ModelOps', async () => {
    const before = await counts();
    const unknownTool = await as(admin.key)
      .post('/v1/catalog/agents')
      .send({ key: uniqueKey('agent'), ...agentSpec('x', ['tool.nope']) });
    expectProblem(unknownTool, 422);
    expect(unknownTool.body.errors).toEqual([
      { field: 'tool_policy.allowed_tools.0', message: 'no catalog tool tool.nope' },
    ]);
    const userTool = await as(admin.key)
      .post('/v1/catalog/tools')
      .send({
        key: uniqueKey('tool'),
        display_name: 'Lookup',
        transport: 'sandbox_http',
        sandbox_http: { operation: 'lookup' },
        input_schema: WEATHER_SCHEMA,
      })
      .expect(201);
    const platformUsingUserTool = await as(admin.key)
      .post('/v1/catalog/agents')
      .send({ key: uniqueKey('agent'), classification: 'platform', ...agentSpec('x', [userTool.body.key]) });
    expectProblem(platformUsingUserTool, 422);
    const missingModel = randomUUID();
    const noModel = await as(admin.key)
      .post('/v1/registry/agents')
      .send({
        key: uniqueKey('agent'),
        classification: 'user',
        spec: { ...agentSpec('x'), model_selection: { mode: 'managed_model', model_id: missingModel } },
      });
    expectProblem(noModel, 422);
    expect(noModel.body.errors).toEqual([
      { field: 'spec.model_selection.model_id', message: `no ModelOps model ${missingModel}` },
    ]);
    expect((await counts()).registry_entries).toBe(before.registry_entries + 1);

    // A tool in an agent's policy cannot be deleted; the 409 names the agent.
    const agent = await createUserAgent(member.user.id, [userTool.body.key]);
    const del = await as(admin.key).delete(`/v1/catalog/tools/${userTool.body.id}`);
    expectProblem(del, 409);
    expect(del.body).toMatchObject({ code: 'in_use', detail: expect.stringContaining(agent.key) });
    const platformTool = await platformEntry('tools', 'tool.python_exec');
    expectProblem(await as(admin.key).delete(`/v1/catalog/tools/${platformTool.id}`), 409);

    // A managed model: the write needs it to exist; validation warns while it is not bindable.
    const model = await t.dataSource.getRepository(ModelEntity).save(
      t.dataSource.getRepository(ModelEntity).create({
        name: unique('model'),
        hosting: 'cloud',
        task: 'llm',
        provider: 'openai_compatible',
        providerModelId: 'gpt-x',
        lifecycleState: 'created',
        metadata: {},
      }),
    );
    const managed = await as(admin.key)
      .put(`/v1/catalog/agents/${agent.id}`)
      .send({ ...agentSpec('x', [userTool.body.key]), model_selection: { mode: 'managed_model', model_id: model.id } })
      .expect(200);
    const report = await as(admin.key).post(`/v1/catalog/agents/${agent.id}/validate`).expect(200);
    expect(report.body).toMatchObject({ valid: true, version: managed.body.version, errors: [] });
    expect(report.body.warnings).toEqual([expect.objectContaining({ field: 'model_selection.model_id' })]);
    const tv = await as(admin.key).post(`/v1/catalog/tools/${userTool.body.id}/validate`).expect(200);
    expect(tv.body).toMatchObject({ valid: true, errors: [], warnings: [] });
  });

  it('writes registry versions of models, agents and tools by key', async () => {
    const key = uniqueKey('model');
    const spec = {
      display_name: 'Mini',
      model_selection: { mode: 'provider_model', provider: 'openai', model: 'gpt-4o-mini' },
    };
    const v1 = await as(admin.key).post('/v1/registry/models').send({ key, spec }).expect(201);
    expect(v1.body).toMatchObject({
      kind: 'model',
      key,
      version: 1,
      classification: 'platform',
      workspace_id: null,
      is_current: true,
      created_by: admin.userId,
    });
    const v2 = await as(admin.key)
      .post('/v1/registry/models')
      .send({ key, spec: { ...spec, capabilities: ['chat'] } })
      .expect(201);
    expect(v2.body).toMatchObject({ version: 2, spec: { capabilities: ['chat'], status: 'active' } });
    expectProblem(await as(admin.key).post('/v1/registry/models').send({ key: 'agent.wrong_kind', spec }), 422);
    const bad = await as(admin.key)
      .post('/v1/registry/models')
      .send({ key: uniqueKey('model'), spec: { display_name: 'X', model_selection: { mode: 'provider_model' } } });
    expectProblem(bad, 422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['spec.model_selection.provider', 'spec.model_selection.model']),
    );
    const seeded = await as(admin.key).get('/v1/registry/tools/tool.web_search').expect(200);
    const next = await as(admin.key)
      .post('/v1/registry/tools')
      .send({ key: 'tool.web_search', spec: seeded.body.spec })
      .expect(201);
    expect(next.body).toMatchObject({ version: seeded.body.version + 1, classification: 'platform' });
    const userAgent = await as(admin.key)
      .post('/v1/registry/agents')
      .send({
        key: uniqueKey('agent'),
        classification: 'user',
        owner_user_id: member.user.id,
        spec: agentSpec('via registry'),
      })
      .expect(201);
    expect(userAgent.body).toMatchObject({ classification: 'user', workspace_id: owner.workspace.id });
    expectProblem(
      await as(admin.key)
        .post('/v1/registry/agents')
        .send({
          key: uniqueKey('agent'),
          classification: 'user',
          owner_user_id: stranger.user.id,
          spec: agentSpec('x'),
        }),
      422,
    );
  });

  it("answers 404 for another workspace's user agent and leaves it out of lists", async () => {
    const agent = await createUserAgent(member.user.id);
    const s = as(strangerAdmin.key);
    const before = await counts();
    expectProblem(await s.get(`/v1/catalog/agents/${agent.id}`), 404);
    expectProblem(await s.put(`/v1/catalog/agents/${agent.id}`).send(agentSpec('mine')), 404);
    expectProblem(await s.delete(`/v1/catalog/agents/${agent.id}`), 404);
    expectProblem(await s.get(`/v1/catalog/agents/${agent.id}/versions`), 404);
    expectProblem(await s.post(`/v1/catalog/agents/${agent.id}/validate`), 404);
    expectProblem(await s.get(`/v1/registry/agents/${agent.key}`), 404);
    const list = await s.get('/v1/catalog/agents').query({ limit: 1000 }).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(agent.id);
    expect(list.body.data.map((a: { key: string }) => a.key)).toContain('agent.knowledge_chat');
    expect(await counts()).toEqual(before);
  });

  it('CatalogReader resolves suites, tools and agents for the modules above catalog', async () => {
    const reader = t.app.get(CatalogReader);
    const suite = await as(member.key)
      .post('/v1/suites')
      .send({ name: unique('suite') })
      .expect(201);
    for (const name of ['web_search', 'lookup_order']) {
      await as(member.key)
        .post(`/v1/suites/${suite.body.id}/actions`)
        .send({ name, description: `suite ${name}`, parameters_schema: WEATHER_SCHEMA })
        .expect(201);
    }
    const server = await as(member.key)
      .post('/v1/mcp-servers')
      .send({ name: unique('mcp'), transport: 'stdio', command: 'node' })
      .expect(201);
    await as(member.key).post(`/v1/mcp-servers/${server.body.id}/tools/import`).send(sdkListToolsResult()).expect(200);
    const boundKey = uniqueKey('tool');
    await as(admin.key)
      .post('/v1/catalog/tools')
      .send({
        key: boundKey,
        display_name: 'Forecast',
        transport: 'mcp',
        mcp: { server_id: server.body.id, tool_name: 'get_forecast' },
      })
      .expect(201);

    expect(await reader.getSuiteActions(owner.workspace.id, suite.body.id)).toEqual([
      { name: 'lookup_order', description: 'suite lookup_order', parametersSchema: WEATHER_SCHEMA },
      { name: 'web_search', description: 'suite web_search', parametersSchema: WEATHER_SCHEMA },
    ]);
    expect(await reader.getSuiteActions(stranger.workspace.id, suite.body.id)).toBeNull();

    const tools = await reader.getToolsByNames(
      owner.workspace.id,
      ['web_search', 'get_alerts', boundKey.slice(5), 'python_exec', 'nope'],
      suite.body.id,
    );
    expect([...tools.keys()]).toEqual(['web_search', 'get_alerts', boundKey.slice(5), 'python_exec']);
    expect(tools.get('web_search')).toMatchObject({ source: 'suite_action', description: 'suite web_search' });
    expect(tools.get('get_alerts')).toMatchObject({ source: 'mcp_tool', ref: `${server.body.name}/get_alerts` });
    expect(tools.get(boundKey.slice(5))).toMatchObject({
      source: 'catalog_tool',
      ref: boundKey,
      parametersSchema: sdkListToolsResult().tools[0].inputSchema,
    });
    expect(tools.get('python_exec')).toMatchObject({ source: 'catalog_tool', ref: 'tool.python_exec' });
    // A catalog tool key reaches the catalog tool even where a suite action shadows its name.
    const byKey = await reader.getToolsByNames(owner.workspace.id, ['tool.web_search'], suite.body.id);
    expect(byKey.get('tool.web_search')).toMatchObject({ name: 'web_search', source: 'catalog_tool' });
    const withoutSuite = await reader.getToolsByNames(owner.workspace.id, ['web_search']);
    expect(withoutSuite.get('web_search')).toMatchObject({ source: 'catalog_tool', ref: 'tool.web_search' });

    const schemas = await reader.getToolSchemas(owner.workspace.id, suite.body.id);
    expect([...schemas.keys()].slice(0, 2)).toEqual(['lookup_order', 'web_search']);
    expect(schemas.get('get_forecast')).toEqual(sdkListToolsResult().tools[0].inputSchema);
    expect((await reader.getToolSchemas(stranger.workspace.id)).has('get_forecast')).toBe(false);

    const agent = await createUserAgent(member.user.id);
    await as(admin.key).put(`/v1/catalog/agents/${agent.id}`).send(agentSpec('v2 prompt')).expect(200);
    expect(await reader.resolveAgent(owner.workspace.id, agent.key)).toMatchObject({
      id: agent.id,
      version: 2,
      systemPrompt: 'v2 prompt',
      toolPolicy: { allowedTools: ['tool.web_search'] },
      modelSelection: { mode: 'provider_model', provider: 'openai', model: 'gpt-4o-mini' },
      workflow: { max_steps: 8 },
    });
    expect((await reader.resolveAgent(owner.workspace.id, agent.id, 1))?.systemPrompt).toBe('v1 prompt');
    expect(await reader.resolveAgent(stranger.workspace.id, agent.key)).toBeNull();
    expect((await reader.resolveAgent(stranger.workspace.id, 'agent.knowledge_chat'))?.classification).toBe('platform');
  });
});
