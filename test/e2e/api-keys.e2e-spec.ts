import request from 'supertest';
import { createKey, createTenant, expectProblem, joinTenant, Tenant } from 'test/fixtures/factories';
import { captureStdout } from 'test/fixtures/capture-stdout';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment({ LOG_LEVEL: 'info', AUTH_API_KEY_CACHE_TTL_MS: '1000' });

describe('API keys', () => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createTenant(t.dataSource);
  });
  afterAll(() => t.close());

  const as = (key: string) => ({
    get: (path: string) => request(t.http).get(path).set('X-API-Key', key),
    post: (path: string) => request(t.http).post(path).set('X-API-Key', key),
    delete: (path: string) => request(t.http).delete(path).set('X-API-Key', key),
  });

  it('shows a new key once, stores only its hash, and never lists it', async () => {
    const created = await as(tenant.key).post('/v1/api-keys').send({ name: 'ci' }).expect(201);
    const key: string = created.body.key;
    expect(key).toMatch(/^tp_live_[0-9A-Za-z]{32,}$/);
    expect(created.body.prefix).toBe(key.slice(0, 12));

    const rows: Record<string, unknown>[] = await t.dataSource.query('SELECT * FROM api_keys');
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(JSON.stringify(rows)).not.toContain(key.slice(12));

    const list = await as(tenant.key).get('/v1/api-keys').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(key.slice(12));
    expect(list.body.map((k: { id: string }) => k.id)).toContain(created.body.id);

    await as(key).get('/v1/users/me').expect(200);
  });

  it('accepts the key in X-API-Key of any case and as a Bearer token', async () => {
    await request(t.http).get('/v1/users/me').set('x-api-key', tenant.key).expect(200);
    await request(t.http).get('/v1/users/me').set('X-API-KEY', tenant.key).expect(200);
    const me = await request(t.http).get('/v1/users/me').set('Authorization', `Bearer ${tenant.key}`).expect(200);
    expect(me.body).toMatchObject({
      auth: 'api_key',
      email: tenant.user.email,
      workspace: { workspace_id: tenant.workspace.id },
    });
  });

  it('refuses a revoked key on its very next request', async () => {
    const created = await as(tenant.key).post('/v1/api-keys').send({ name: 'to revoke' }).expect(201);
    await as(created.body.key).get('/v1/users/me').expect(200);
    await as(tenant.key).delete(`/v1/api-keys/${created.body.id}`).expect(204);
    expectProblem(await as(created.body.key).get('/v1/users/me'), 401);
    const audit = await t.dataSource.query(`SELECT action FROM audit_log WHERE target_id = $1 ORDER BY created_at`, [
      created.body.id,
    ]);
    expect(audit.map((r: { action: string }) => r.action)).toEqual(['api_key.created', 'api_key.revoked']);
  });

  it('refuses a key revoked by another process within AUTH_API_KEY_CACHE_TTL_MS', async () => {
    const created = await as(tenant.key).post('/v1/api-keys').send({ name: 'revoked elsewhere' }).expect(201);
    await as(created.body.key).get('/v1/users/me').expect(200);
    // Another replica revokes it: this process hears nothing and keeps its principal until the TTL ends.
    await t.dataSource.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [created.body.id]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expectProblem(await as(created.body.key).get('/v1/users/me'), 401);
  });

  it('refuses an expired key, an unknown key and a malformed one with 401', async () => {
    const expired = await createKey(t.dataSource, {
      workspaceId: tenant.workspace.id,
      userId: tenant.user.id,
      expiresAt: new Date(Date.now() - 1000),
    });
    expectProblem(await as(expired.key).get('/v1/users/me'), 401);
    expectProblem(await as(`tp_live_${'x'.repeat(40)}`).get('/v1/users/me'), 401);
    expectProblem(await as('not-a-key').get('/v1/users/me'), 401);
  });

  it('refuses expiry dates in the past with 422', async () => {
    const res = await as(tenant.key).post('/v1/api-keys').send({ name: 'past', expires_at: '2001-01-01T00:00:00Z' });
    expectProblem(res, 422);
  });

  it('records last use without writing on every request', async () => {
    const created = await as(tenant.key).post('/v1/api-keys').send({ name: 'usage' }).expect(201);
    for (let i = 0; i < 5; i++) await as(created.body.key).get('/v1/users/me').expect(200);
    const [row] = await t.dataSource.query('SELECT last_used_at FROM api_keys WHERE id = $1', [created.body.id]);
    expect(row.last_used_at).not.toBeNull();
    const listed = (await as(tenant.key).get('/v1/api-keys').expect(200)).body.find(
      (k: { id: string }) => k.id === created.body.id,
    );
    expect(listed.last_used_at).not.toBeNull();
  });

  it('never writes a key into a log line', async () => {
    const secret = await as(tenant.key).post('/v1/api-keys').send({ name: 'log probe' }).expect(201);
    const output = await captureStdout(async () => {
      await as(secret.body.key)
        .get('/v1/users/me?api_key=' + secret.body.key)
        .expect(200);
      await request(t.http).get('/v1/users/me').set('Authorization', `Bearer ${secret.body.key}`).expect(200);
      await request(t.http).get('/v1/users/me').set('Cookie', `session=${secret.body.key}`).expect(401);
    });
    expect(output).toContain('"statusCode":200');
    expect(output).not.toContain(secret.body.key.slice(8));
  });

  it('lets members see only their own keys and admins every key of the workspace', async () => {
    const member = await joinTenant(t.dataSource, tenant, 'member');
    const mine = await as(member.key).get('/v1/api-keys').expect(200);
    expect(mine.body.map((k: { id: string }) => k.id)).toEqual([member.keyId]);
    expectProblem(await as(member.key).get('/v1/api-keys?scope=workspace'), 403);
    expectProblem(await as(member.key).delete(`/v1/api-keys/${tenant.keyId}`), 404);
    const all = await as(tenant.key).get('/v1/api-keys?scope=workspace').expect(200);
    expect(all.body.map((k: { id: string }) => k.id)).toEqual(expect.arrayContaining([member.keyId, tenant.keyId]));
  });

  it('does not let a viewer create keys', async () => {
    const viewer = await joinTenant(t.dataSource, tenant, 'viewer');
    expectProblem(await as(viewer.key).post('/v1/api-keys').send({ name: 'nope' }), 403);
  });

  it('pins keys to a project: a pinned key may mint only keys pinned to the same project', async () => {
    const pinned = await joinTenant(t.dataSource, tenant, 'admin', { pinned: true });
    expectProblem(await as(pinned.key).post('/v1/api-keys').send({ name: 'escape' }), 403);
    const ok = await as(pinned.key)
      .post('/v1/api-keys')
      .send({ name: 'same', project_id: tenant.project.id })
      .expect(201);
    expect(ok.body.project_id).toBe(tenant.project.id);
    const me = await as(pinned.key).get('/v1/users/me').expect(200);
    expect(me.body.project_id).toBe(tenant.project.id);
  });

  it('does not reveal or revoke another workspace key (404)', async () => {
    const other = await createTenant(t.dataSource);
    expectProblem(await as(tenant.key).delete(`/v1/api-keys/${other.keyId}`), 404);
    await as(other.key).get('/v1/users/me').expect(200);
  });
});
