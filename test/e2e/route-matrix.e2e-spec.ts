import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import request from 'supertest';
import { createTenant, expectProblem, Tenant } from 'test/fixtures/factories';
import { fillPath, listRoutes, RouteInfo } from 'test/fixtures/routes';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment();

/**
 * Walks every route the app registered (read from its controllers, so new routes are covered
 * without editing this file): deny by default, tenant isolation, superadmin-only routes.
 */
describe('route matrix', () => {
  let t: TestApp;
  let routes: RouteInfo[];
  let victim: Tenant;
  let intruder: Tenant;
  let victimIds: string[];

  beforeAll(async () => {
    t = await createTestApp();
    routes = listRoutes(t.app);
    victim = await createTenant(t.dataSource, { role: 'owner' });
    intruder = await createTenant(t.dataSource, { role: 'owner' });
    victimIds = await idsOwnedBy(victim.workspace.id);
  });
  afterAll(() => t.close());

  /** The id of every row of the victim's workspace, in every table that has a workspace_id. */
  async function idsOwnedBy(workspaceId: string): Promise<string[]> {
    const tables: { table_name: string }[] = await t.dataSource.query(
      `SELECT c.table_name FROM information_schema.columns c
         JOIN information_schema.columns i ON i.table_name = c.table_name AND i.column_name = 'id'
        WHERE c.column_name = 'workspace_id' AND c.table_schema = 'public'`,
    );
    const ids = [workspaceId, victim.user.id];
    for (const { table_name } of tables) {
      const rows: { id: string }[] = await t.dataSource.query(
        `SELECT id::text FROM "${table_name}" WHERE workspace_id = $1`,
        [workspaceId],
      );
      ids.push(...rows.map((r) => r.id));
    }
    return [...new Set(ids)];
  }

  const send = (route: RouteInfo, path: string, key?: string) => {
    const req = request(t.http)[route.method.toLowerCase() as 'get'](path);
    return key ? req.set('X-API-Key', key) : req;
  };

  /** Endless responses (SSE): what arrives in the first second, from the start of the stream. */
  const STREAMING_ROUTES = new Set(['GET /api/stream']);
  const sendBounded = (route: RouteInfo, path: string, key?: string) =>
    send(route, `${path}?after_seq=0`, key)
      .buffer(true)
      .parse((response, done) => {
        // superagent hands the raw Node response to a custom parser.
        const res = response as unknown as IncomingMessage;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        setTimeout(() => {
          res.destroy();
          done(null, text);
        }, 1000);
      });

  it('declares who may call each route (a diff here is a permission change)', () => {
    expect(routes.map((r) => `${r.method} ${r.path} ${r.isPublic ? 'public' : `role=${r.role}`}`)).toMatchSnapshot();
  });

  it('answers 401 problem+json on every non-public route without credentials', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => !r.isPublic)) {
      const path = fillPath(route.path, randomUUID());
      for (const key of [undefined, `tp_live_${'0'.repeat(40)}`]) {
        const res = await send(route, path, key);
        if (res.status !== 401 || !String(res.headers['content-type']).startsWith('application/problem+json')) {
          failures.push(`${route.method} ${path} (${key ? 'bad key' : 'no key'}) -> ${res.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("never shows another workspace's rows: every read by id answers 404, every list omits them", async () => {
    const failures: string[] = [];
    // Superadmin routes answer 403 to anyone else first; the last test covers them.
    for (const route of routes.filter((r) => !r.isPublic && r.method === 'GET' && r.role !== 'superadmin')) {
      if (!route.path.includes(':')) {
        const streaming = STREAMING_ROUTES.has(`${route.method} ${route.path}`);
        const res = await (streaming ? sendBounded : send)(route, route.path, intruder.key);
        const leaked = victimIds.filter((id) => JSON.stringify(res.body ?? '').includes(id) || res.text?.includes(id));
        if (leaked.length > 0) failures.push(`GET ${route.path} leaked ${leaked.join(',')}`);
        continue;
      }
      for (const id of victimIds) {
        const res = await send(route, fillPath(route.path, id), intruder.key);
        if (res.status !== 404) failures.push(`GET ${route.path} with ${id} -> ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("never changes another workspace's rows through a write by id", async () => {
    const before = await t.dataSource.query(`SELECT * FROM projects WHERE workspace_id = $1`, [victim.workspace.id]);
    for (const route of routes.filter((r) => !r.isPublic && r.method !== 'GET' && r.path.includes(':'))) {
      for (const id of victimIds) {
        const res = await send(route, fillPath(route.path, id), intruder.key).send({});
        expect([400, 403, 404, 415, 422]).toContain(res.status);
      }
    }
    expect(await t.dataSource.query(`SELECT * FROM projects WHERE workspace_id = $1`, [victim.workspace.id])).toEqual(
      before,
    );
    await request(t.http).get('/v1/users/me').set('X-API-Key', victim.key).expect(200);
  });

  it('answers 403 to a workspace owner on every superadmin route', async () => {
    const superadminRoutes = routes.filter((r) => r.role === 'superadmin');
    expect(superadminRoutes.length).toBeGreaterThan(0);
    for (const route of superadminRoutes) {
      expectProblem(await send(route, fillPath(route.path, randomUUID()), intruder.key), 403);
    }
    const admin = await createTenant(t.dataSource, { superadmin: true });
    await request(t.http).get('/metrics').set('X-API-Key', admin.key).expect(200);
  });
});
