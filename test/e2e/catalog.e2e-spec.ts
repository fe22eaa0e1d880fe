import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { superadminIn, sdkListToolsResult, unique, uniqueKey, WEATHER_SCHEMA } from 'test/fixtures/catalog';
import { countRows, createTenant, expectProblem, joinTenant, type Tenant } from 'test/fixtures/factories';
import { createTestApp, type TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment();
jest.setTimeout(60_000);

const CATALOG_TABLES = ['suites', 'suite_actions', 'mcp_servers', 'mcp_tools', 'registry_entries', 'registry_versions'];

/** Suites and their actions, MCP servers and their tools (workspace-scoped catalog). */
describe('catalog: suites and MCP servers', () => {
  let t: TestApp;
  let owner: Tenant;
  let member: { key: string; user: { id: string } };
  let viewer: { key: string };
  let stranger: Tenant;
  let admin: { userId: string; key: string };

  const as = (key: string) => ({
    get: (path: string) => request(t.http).get(path).set('X-API-Key', key),
    post: (path: string) => request(t.http).post(path).set('X-API-Key', key),
    patch: (path: string) => request(t.http).patch(path).set('X-API-Key', key),
    put: (path: string) => request(t.http).put(path).set('X-API-Key', key),
    delete: (path: string) => request(t.http).delete(path).set('X-API-Key', key),
  });
  const counts = () => countRows(t.dataSource, CATALOG_TABLES);

  async function createSuite(name = unique('suite')): Promise<{ id: string; name: string }> {
    const res = await as(member.key).post('/v1/suites').send({ name, description: 'Orders' }).expect(201);
    return res.body as { id: string; name: string };
  }

  async function createServer(body: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
    const res = await as(member.key)
      .post('/v1/mcp-servers')
      .send({ name: unique('mcp'), transport: 'streamable_http', url: 'https://mcp.example.test/mcp', ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; name: string };
  }

  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t.dataSource, { role: 'owner' });
    member = await joinTenant(t.dataSource, owner, 'member');
    viewer = await joinTenant(t.dataSource, owner, 'viewer');
    stranger = await createTenant(t.dataSource, { role: 'owner' });
    admin = await superadminIn(t.dataSource, owner);
  });
  afterAll(() => t.close());

  describe('auth', () => {
    it('answers 401 without a key and 403 to a viewer writing, while a viewer reads', async () => {
      for (const path of ['/v1/suites', '/v1/mcp-servers']) {
        expectProblem(await request(t.http).get(path), 401);
        expectProblem(await request(t.http).post(path).send({ name: 'x' }), 401);
        await as(viewer.key).get(path).expect(200);
      }
      const before = await counts();
      expectProblem(
        await as(viewer.key)
          .post('/v1/suites')
          .send({ name: unique('suite') }),
        403,
      );
      expectProblem(
        await as(viewer.key)
          .post('/v1/mcp-servers')
          .send({ name: unique('mcp'), transport: 'stdio', command: 'npx' }),
        403,
      );
      const suite = await createSuite();
      expectProblem(await as(viewer.key).delete(`/v1/suites/${suite.id}`), 403);
      expectProblem(
        await as(viewer.key)
          .post(`/v1/suites/${suite.id}/actions`)
          .send({ name: 'lookup', parameters_schema: WEATHER_SCHEMA }),
        403,
      );
      expect((await counts()).suites).toBe(before.suites + 1);
    });
  });

  describe('suites and actions', () => {
    it('creates, reads, lists by name with cursor paging, renames and deletes a suite with its actions', async () => {
      const a = await createSuite(unique('a-suite'));
      const b = await createSuite(unique('b-suite'));
      const got = await as(viewer.key).get(`/v1/suites/${a.id}`).expect(200);
      expect(got.body).toMatchObject({
        id: a.id,
        workspace_id: owner.workspace.id,
        name: a.name,
        description: 'Orders',
        metadata: {},
        action_count: 0,
        created_at: expect.any(String),
      });

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await as(member.key)
          .get('/v1/suites')
          .query({ limit: 1, ...(cursor ? { cursor } : {}) })
          .expect(200);
        expect(page.body.data.length).toBeLessThanOrEqual(1);
        seen.push(...page.body.data.map((s: { id: string }) => s.id));
        cursor = page.body.next_cursor as string | null;
      } while (cursor);
      expect(seen).toEqual(expect.arrayContaining([a.id, b.id]));
      expect(new Set(seen).size).toBe(seen.length);

      const renamed = await as(member.key)
        .patch(`/v1/suites/${a.id}`)
        .send({ name: `${a.name}-2`, description: null })
        .expect(200);
      expect(renamed.body).toMatchObject({ name: `${a.name}-2`, description: null });

      const action = await as(member.key)
        .post(`/v1/suites/${a.id}/actions`)
        .send({ name: 'lookup_order', description: 'Find an order', parameters_schema: WEATHER_SCHEMA })
        .expect(201);
      expect(action.body).toMatchObject({ suite_id: a.id, name: 'lookup_order', parameters_schema: WEATHER_SCHEMA });
      await as(member.key)
        .post(`/v1/suites/${a.id}/actions`)
        .send({ name: 'cancel_order', parameters_schema: { type: 'object' } })
        .expect(201);
      const list = await as(viewer.key).get(`/v1/suites/${a.id}/actions`).expect(200);
      expect(list.body.data.map((x: { name: string }) => x.name)).toEqual(['cancel_order', 'lookup_order']);
      expect((await as(viewer.key).get(`/v1/suites/${a.id}`).expect(200)).body.action_count).toBe(2);

      const patched = await as(member.key)
        .patch(`/v1/suites/${a.id}/actions/${action.body.id}`)
        .send({ description: 'Find one order', parameters_schema: { type: 'object', properties: {} } })
        .expect(200);
      expect(patched.body).toMatchObject({ description: 'Find one order', parameters_schema: { type: 'object' } });
      await as(viewer.key).get(`/v1/suites/${a.id}/actions/${action.body.id}`).expect(200);
      await as(member.key).delete(`/v1/suites/${a.id}/actions/${action.body.id}`).expect(204);
      expectProblem(await as(viewer.key).get(`/v1/suites/${a.id}/actions/${action.body.id}`), 404);

      await as(member.key).delete(`/v1/suites/${a.id}`).expect(204);
      expectProblem(await as(viewer.key).get(`/v1/suites/${a.id}`), 404);
      const [left] = await t.dataSource.query(`SELECT count(*)::int AS n FROM suite_actions WHERE suite_id = $1`, [
        a.id,
      ]);
      expect(left.n).toBe(0);
    });

    it('refuses an invalid JSON Schema with 422 naming the path, and changes nothing', async () => {
      const suite = await createSuite();
      const action = await as(member.key)
        .post(`/v1/suites/${suite.id}/actions`)
        .send({ name: 'ok', parameters_schema: WEATHER_SCHEMA })
        .expect(201);
      const before = await counts();
      const bad = await as(member.key)
        .post(`/v1/suites/${suite.id}/actions`)
        .send({ name: 'broken', parameters_schema: { type: 'object', properties: { city: { type: 'text' } } } });
      expectProblem(bad, 422);
      expect(bad.body.code).toBe('invalid_json_schema');
      expect(bad.body.errors).toContainEqual({
        field: 'parameters_schema.properties.city.type',
        message: 'must be equal to one of the allowed values',
      });
      const strict = await as(member.key)
        .post(`/v1/suites/${suite.id}/actions`)
        .send({ name: 'typo', parameters_schema: { type: 'object', requried: ['city'] } });
      expectProblem(strict, 422);
      expect(strict.body.errors).toEqual([
        { field: 'parameters_schema.requried', message: 'unknown keyword "requried"' },
      ]);
      const patch = await as(member.key)
        .patch(`/v1/suites/${suite.id}/actions/${action.body.id}`)
        .send({ parameters_schema: { type: 'array' } });
      expectProblem(patch, 422);
      expect(patch.body.errors[0].field).toBe('parameters_schema.type');
      expectProblem(
        await as(member.key).post(`/v1/suites/${suite.id}/actions`).send({ name: 'has space', parameters_schema: {} }),
        422,
      );
      expect(await counts()).toEqual(before);
      const unchanged = await as(viewer.key).get(`/v1/suites/${suite.id}/actions/${action.body.id}`).expect(200);
      expect(unchanged.body.parameters_schema).toEqual(WEATHER_SCHEMA);
    });

    it('answers 409 for a duplicate suite or action name (unique index), changing nothing', async () => {
      const suite = await createSuite();
      const other = await createSuite();
      await as(member.key)
        .post(`/v1/suites/${suite.id}/actions`)
        .send({ name: 'lookup', parameters_schema: WEATHER_SCHEMA })
        .expect(201);
      const before = await counts();
      const dup = await as(member.key).post('/v1/suites').send({ name: suite.name });
      expectProblem(dup, 409);
      expect(dup.body).toMatchObject({ code: 'name_taken', detail: expect.stringContaining(suite.name) });
      expectProblem(await as(member.key).patch(`/v1/suites/${other.id}`).send({ name: suite.name }), 409);
      const dupAction = await as(member.key)
        .post(`/v1/suites/${suite.id}/actions`)
        .send({ name: 'lookup', parameters_schema: { type: 'object' } });
      expectProblem(dupAction, 409);
      expect(await counts()).toEqual(before);
      // Names are unique per workspace, not globally.
      await as(stranger.key).post('/v1/suites').send({ name: suite.name }).expect(201);
    });

    it('refuses to delete a suite sessions reference (sessions.suite_id), naming them', async () => {
      const suite = await createSuite();
      const session = await request(t.http)
        .post('/api/traces')
        .set('Authorization', `Bearer ${member.key}`)
        .send({ agent: { name: 'support-agent' }, suite_id: suite.id, project_id: owner.project.id })
        .expect(201);
      const before = await counts();
      const res = await as(member.key).delete(`/v1/suites/${suite.id}`);
      expectProblem(res, 409);
      expect(res.body.code).toBe('in_use');
      expect(res.body.detail).toContain('sessions.suite_id');
      expect(res.body.detail).toContain(session.body.id);
      expect(await counts()).toEqual(before);
      await as(viewer.key).get(`/v1/suites/${suite.id}`).expect(200);
    });

    it("answers 404 for another workspace's suite and leaves it out of lists", async () => {
      const suite = await createSuite();
      await as(member.key)
        .post(`/v1/suites/${suite.id}/actions`)
        .send({ name: 'lookup', parameters_schema: WEATHER_SCHEMA })
        .expect(201);
      const before = await counts();
      const s = as(stranger.key);
      expectProblem(await s.get(`/v1/suites/${suite.id}`), 404);
      expectProblem(await s.patch(`/v1/suites/${suite.id}`).send({ name: 'mine' }), 404);
      expectProblem(await s.delete(`/v1/suites/${suite.id}`), 404);
      expectProblem(await s.get(`/v1/suites/${suite.id}/actions`), 404);
      expectProblem(
        await s.post(`/v1/suites/${suite.id}/actions`).send({ name: 'x', parameters_schema: { type: 'object' } }),
        404,
      );
      const list = await s.get('/v1/suites').query({ limit: 1000 }).expect(200);
      expect(JSON.stringify(list.body)).not.toContain(suite.id);
      expect(await counts()).toEqual(before);
    });
  });

  describe('MCP servers and tools', () => {
    it('registers stdio and HTTP servers and validates their endpoint settings', async () => {
      const stdio = await as(member.key)
        .post('/v1/mcp-servers')
        .send({
          name: unique('stdio'),
          transport: 'stdio',
          command: 'npx',
          args: ['-y', '@acme/mcp'],
          env: { LOG_LEVEL: 'info' },
        })
        .expect(201);
      expect(stdio.body).toMatchObject({
        transport: 'stdio',
        command: 'npx',
        args: ['-y', '@acme/mcp'],
        env: { LOG_LEVEL: 'info' },
        url: null,
        secret_refs: {},
        tool_count: 0,
      });
      const http = await createServer({ headers: { 'X-Tenant': 'acme' }, timeout_ms: 5000 });
      const patched = await as(member.key)
        .patch(`/v1/mcp-servers/${http.id}`)
        .send({ transport: 'sse', url: 'https://mcp.example.test/sse' })
        .expect(200);
      expect(patched.body).toMatchObject({ transport: 'sse', url: 'https://mcp.example.test/sse', timeout_ms: 5000 });
      await as(viewer.key).get(`/v1/mcp-servers/${http.id}`).expect(200);

      const before = await counts();
      const missingUrl = await as(member.key)
        .post('/v1/mcp-servers')
        .send({ name: unique('x'), transport: 'streamable_http' });
      expectProblem(missingUrl, 422);
      expect(missingUrl.body.errors).toContainEqual({
        field: 'url',
        message: 'is required for transport streamable_http',
      });
      const clear = await as(member.key)
        .post('/v1/mcp-servers')
        .send({
          name: unique('x'),
          transport: 'sse',
          url: 'https://x.test/sse',
          headers: { Authorization: 'Bearer sk-live' },
        });
      expectProblem(clear, 422);
      expect(clear.body.errors[0]).toMatchObject({
        field: 'headers.Authorization',
        message: expect.stringContaining('secret_refs'),
      });
      expectProblem(
        await as(member.key)
          .post('/v1/mcp-servers')
          .send({ name: unique('x'), transport: 'websocket', url: 'https://x.test' }),
        422,
      );
      expectProblem(await as(member.key).patch(`/v1/mcp-servers/${http.id}`).send({ transport: 'stdio' }), 422);
      const dup = await as(member.key)
        .post('/v1/mcp-servers')
        .send({ name: http.name, transport: 'stdio', command: 'node' });
      expectProblem(dup, 409);
      expect(dup.body.code).toBe('name_taken');
      expect(await counts()).toEqual(before);
    });

    it('takes secrets only as refs to ModelOps credentials, attached by superadmins', async () => {
      const credential = await as(admin.key)
        .post('/v1/modelops/credentials')
        .send({ name: unique('mcp-cred'), provider: 'acme', secret: `sk-${randomUUID()}` })
        .expect(201);
      const ref = credential.body.secret_ref as string;
      const before = await counts();
      const byMember = await as(member.key)
        .post('/v1/mcp-servers')
        .send({ name: unique('x'), transport: 'sse', url: 'https://x.test/sse', secret_refs: { Authorization: ref } });
      expectProblem(byMember, 403);
      expect(byMember.body.code).toBe('credential_ref_forbidden');
      const missing = `modelops://credential/${randomUUID()}`;
      const unknown = await as(admin.key)
        .post('/v1/mcp-servers')
        .send({
          name: unique('x'),
          transport: 'sse',
          url: 'https://x.test/sse',
          secret_refs: { Authorization: missing },
        });
      expectProblem(unknown, 422);
      expect(unknown.body).toMatchObject({ code: 'unknown_reference' });
      expect(unknown.body.errors).toEqual([
        { field: 'secret_refs.Authorization', message: `no ModelOps credential ${missing}` },
      ]);
      expectProblem(
        await as(admin.key)
          .post('/v1/mcp-servers')
          .send({
            name: unique('x'),
            transport: 'sse',
            url: 'https://x.test/sse',
            secret_refs: { Authorization: 'sk-plain' },
          }),
        422,
      );
      expect(await counts()).toEqual(before);

      const server = await as(admin.key)
        .post('/v1/mcp-servers')
        .send({
          name: unique('secure'),
          transport: 'sse',
          url: 'https://x.test/sse',
          secret_refs: { Authorization: ref },
        })
        .expect(201);
      expect(server.body.secret_refs).toEqual({ Authorization: ref });
      expect(JSON.stringify(server.body)).not.toContain('sk-');
      // A member may still edit the server's other settings, keeping the refs as they are.
      await as(member.key).patch(`/v1/mcp-servers/${server.body.id}`).send({ description: 'Orders' }).expect(200);
      // ModelOps now refuses to delete the credential, naming the server.
      const del = await as(admin.key).delete(`/v1/modelops/credentials/${credential.body.id}`);
      expectProblem(del, 409);
      expect(del.body.detail).toContain(server.body.name);
    });

    it('creates, lists, updates and deletes tools, validating their schemas', async () => {
      const server = await createServer();
      const base = `/v1/mcp-servers/${server.id}/tools`;
      const tool = await as(member.key)
        .post(base)
        .send({
          name: 'get_weather',
          title: 'Weather',
          input_schema: WEATHER_SCHEMA,
          output_schema: { type: 'object' },
        })
        .expect(201);
      expect(tool.body).toMatchObject({
        server_id: server.id,
        name: 'get_weather',
        output_schema: { type: 'object' },
        annotations: {},
      });
      const before = await counts();
      const bad = await as(member.key)
        .post(base)
        .send({ name: 'bad', input_schema: { type: 'object', properties: { a: { $ref: '#/definitions/none' } } } });
      expectProblem(bad, 422);
      expect(bad.body.errors).toEqual([
        { field: 'input_schema.properties.a.$ref', message: 'cannot resolve $ref #/definitions/none' },
      ]);
      expectProblem(
        await as(member.key)
          .post(base)
          .send({ name: 'get_weather', input_schema: { type: 'object' } }),
        409,
      );
      expectProblem(
        await as(member.key)
          .patch(`${base}/${tool.body.id}`)
          .send({ output_schema: { type: 'string' } }),
        422,
      );
      expect(await counts()).toEqual(before);

      const page = await as(viewer.key).get(base).expect(200);
      expect(page.body.data.map((x: { name: string }) => x.name)).toEqual(['get_weather']);
      await as(member.key)
        .patch(`${base}/${tool.body.id}`)
        .send({ description: 'Now', output_schema: null })
        .expect(200);
      expect((await as(viewer.key).get(`${base}/${tool.body.id}`).expect(200)).body).toMatchObject({
        description: 'Now',
        output_schema: null,
      });
      await as(member.key).delete(`${base}/${tool.body.id}`).expect(204);
      expectProblem(await as(viewer.key).get(`${base}/${tool.body.id}`), 404);
    });

    it('imports an MCP SDK ListToolsResult: created, then unchanged, then updated; bare or in JSON-RPC', async () => {
      const server = await createServer();
      const path = `/v1/mcp-servers/${server.id}/tools/import`;
      const payload = sdkListToolsResult();
      const first = await as(member.key).post(path).send(payload).expect(200);
      expect(first.body).toMatchObject({ created: 2, updated: 0, unchanged: 0, removed: 0, next_cursor: null });
      const stored = await as(viewer.key).get(`/v1/mcp-servers/${server.id}/tools`).expect(200);
      const forecast = stored.body.data.find((x: { name: string }) => x.name === 'get_forecast');
      expect(forecast).toMatchObject({
        title: 'Weather forecast',
        description: 'Get the weather forecast for a city',
        input_schema: payload.tools[0].inputSchema,
        output_schema: payload.tools[0].outputSchema,
        annotations: payload.tools[0].annotations,
      });

      const again = await as(member.key).post(path).send({ jsonrpc: '2.0', id: 2, result: payload }).expect(200);
      expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 2 });

      const changed = sdkListToolsResult();
      changed.tools[1].description = 'Active alerts for a US state';
      const third = await as(member.key)
        .post(path)
        .send({ ...changed, nextCursor: 'page-2' })
        .expect(200);
      expect(third.body).toMatchObject({ created: 0, updated: 1, unchanged: 1, next_cursor: 'page-2' });
      expect(third.body.tools).toContainEqual({ name: 'get_alerts', outcome: 'updated' });
      expect((await as(viewer.key).get(`/v1/mcp-servers/${server.id}`).expect(200)).body.tool_count).toBe(2);
    });

    it('refuses an invalid tools/list all or nothing, and prunes only a complete list', async () => {
      const server = await createServer();
      const path = `/v1/mcp-servers/${server.id}/tools/import`;
      await as(member.key).post(path).send(sdkListToolsResult()).expect(200);
      const before = await counts();
      const broken = sdkListToolsResult();
      broken.tools.push({
        name: 'new_tool',
        inputSchema: { type: 'object', properties: { x: { type: 'nope' } } },
      } as never);
      broken.tools[0].description = 'changed';
      const res = await as(member.key).post(path).send({ jsonrpc: '2.0', id: 3, result: broken });
      expectProblem(res, 422);
      expect(res.body.code).toBe('invalid_tools_list');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(
        'result.tools.2.inputSchema.properties.x.type',
      );
      const rpcError = await as(member.key)
        .post(path)
        .send({ jsonrpc: '2.0', id: 4, error: { code: -32601, message: 'Method not found' } });
      expectProblem(rpcError, 422);
      expectProblem(await as(member.key).post(`${path}?prune=true`).send({ tools: [], nextCursor: 'more' }), 422);
      expectProblem(await as(viewer.key).post(path).send(sdkListToolsResult()), 403);
      expectProblem(await as(stranger.key).post(path).send(sdkListToolsResult()), 404);
      expect(await counts()).toEqual(before);
      const forecast = (await as(viewer.key).get(`/v1/mcp-servers/${server.id}/tools`).expect(200)).body.data[1];
      expect(forecast.description).toBe('Get the weather forecast for a city');

      const pruned = await as(member.key)
        .post(`${path}?prune=true`)
        .send({ tools: [sdkListToolsResult().tools[1]] })
        .expect(200);
      expect(pruned.body).toMatchObject({ created: 0, unchanged: 1, removed: 1 });
      expect(pruned.body.tools).toContainEqual({ name: 'get_forecast', outcome: 'removed' });
    });

    it('refuses to delete a server or tool a catalog tool uses, naming it, and changes nothing', async () => {
      const server = await createServer();
      await as(member.key).post(`/v1/mcp-servers/${server.id}/tools/import`).send(sdkListToolsResult()).expect(200);
      const tools = (await as(viewer.key).get(`/v1/mcp-servers/${server.id}/tools`).expect(200)).body.data as {
        id: string;
        name: string;
      }[];
      const key = uniqueKey('tool');
      await as(admin.key)
        .post('/v1/catalog/tools')
        .send({
          key,
          display_name: 'Forecast',
          transport: 'mcp',
          mcp: { server_id: server.id, tool_name: 'get_forecast' },
        })
        .expect(201);
      const before = await counts();
      const delServer = await as(member.key).delete(`/v1/mcp-servers/${server.id}`);
      expectProblem(delServer, 409);
      expect(delServer.body).toMatchObject({ code: 'in_use', detail: expect.stringContaining(key) });
      const forecast = tools.find((x) => x.name === 'get_forecast')!;
      const delTool = await as(member.key).delete(`/v1/mcp-servers/${server.id}/tools/${forecast.id}`);
      expectProblem(delTool, 409);
      expect(delTool.body.detail).toContain(key);
      expectProblem(
        await as(member.key).patch(`/v1/mcp-servers/${server.id}/tools/${forecast.id}`).send({ name: 'renamed' }),
        409,
      );
      expectProblem(
        await as(member.key).post(`/v1/mcp-servers/${server.id}/tools/import?prune=true`).send({ tools: [] }),
        409,
      );
      expect(await counts()).toEqual(before);
      // The unused tool goes; once the catalog tool is gone, so can the server.
      const alerts = tools.find((x) => x.name === 'get_alerts')!;
      await as(member.key).delete(`/v1/mcp-servers/${server.id}/tools/${alerts.id}`).expect(204);
      const entry = (await as(admin.key).get(`/v1/registry/tools/${key}`).expect(200)).body;
      await as(admin.key).delete(`/v1/catalog/tools/${entry.entry_id}`).expect(204);
      await as(member.key).delete(`/v1/mcp-servers/${server.id}`).expect(204);
    });

    it("answers 404 for another workspace's server and its tools, and leaves them out of lists", async () => {
      const server = await createServer();
      await as(member.key).post(`/v1/mcp-servers/${server.id}/tools/import`).send(sdkListToolsResult()).expect(200);
      const toolId = (await as(viewer.key).get(`/v1/mcp-servers/${server.id}/tools`).expect(200)).body.data[0].id;
      const before = await counts();
      const s = as(stranger.key);
      expectProblem(await s.get(`/v1/mcp-servers/${server.id}`), 404);
      expectProblem(await s.patch(`/v1/mcp-servers/${server.id}`).send({ description: 'x' }), 404);
      expectProblem(await s.delete(`/v1/mcp-servers/${server.id}`), 404);
      expectProblem(await s.get(`/v1/mcp-servers/${server.id}/tools`), 404);
      expectProblem(await s.get(`/v1/mcp-servers/${server.id}/tools/${toolId}`), 404);
      expectProblem(await s.delete(`/v1/mcp-servers/${server.id}/tools/${toolId}`), 404);
      const list = await s.get('/v1/mcp-servers').query({ limit: 1000 }).expect(200);
      expect(JSON.stringify(list.body)).not.toContain(server.id);
      expect(await counts()).toEqual(before);
    });
  });
});
