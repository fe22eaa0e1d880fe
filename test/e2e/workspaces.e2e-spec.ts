import request from 'supertest';
import { createTenant, createUser, expectProblem, joinTenant, Tenant } from 'test/fixtures/factories';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment();

describe('workspaces, projects, members and the audit log', () => {
  let t: TestApp;
  let owner: Tenant;
  beforeAll(async () => {
    t = await createTestApp();
    owner = await createTenant(t.dataSource, { role: 'owner' });
  });
  afterAll(() => t.close());

  const as = (key: string) => ({
    get: (path: string) => request(t.http).get(path).set('X-API-Key', key),
    post: (path: string, body: object) => request(t.http).post(path).set('X-API-Key', key).send(body),
    patch: (path: string, body: object) => request(t.http).patch(path).set('X-API-Key', key).send(body),
    delete: (path: string) => request(t.http).delete(path).set('X-API-Key', key),
  });
  const ws = () => `/v1/workspaces/${owner.workspace.id}`;

  it('lists the workspace of the key and reads it', async () => {
    const list = await as(owner.key).get('/v1/workspaces').expect(200);
    expect(list.body).toEqual([expect.objectContaining({ id: owner.workspace.id, role: 'owner' })]);
    await as(owner.key).get(ws()).expect(200);
  });

  it('applies a role change, a removal and a project deletion to API keys on their very next request', async () => {
    const member = await joinTenant(t.dataSource, owner, 'member');
    const project = (await as(owner.key).post('/v1/projects', { name: 'Pinned', slug: 'pinned-keys' }).expect(201)).body
      .id as string;
    const pinned = await as(member.key).post('/v1/api-keys', { name: 'pinned', project_id: project }).expect(201);
    // Each key is used first, so its principal is cached by the time things change.
    await as(member.key).post('/v1/api-keys', { name: 'as member' }).expect(201);
    await as(pinned.body.key).get('/v1/users/me').expect(200);

    await as(owner.key).patch(`${ws()}/members/${member.user.id}`, { role: 'viewer' }).expect(200);
    expectProblem(await as(member.key).post('/v1/api-keys', { name: 'as viewer' }), 403);

    await as(owner.key).delete(`/v1/projects/${project}`).expect(204);
    expectProblem(await as(pinned.body.key).get('/v1/users/me'), 401);

    await as(owner.key).delete(`${ws()}/members/${member.user.id}`).expect(204);
    expectProblem(await as(member.key).get('/v1/users/me'), 401);
  });

  it('creates, reads, renames and deletes projects; slugs are unique per workspace', async () => {
    const created = await as(owner.key).post('/v1/projects', { name: 'Support', slug: 'support' }).expect(201);
    expectProblem(await as(owner.key).post('/v1/projects', { name: 'Again', slug: 'support' }), 409);
    const other = await createTenant(t.dataSource);
    await as(other.key).post('/v1/projects', { name: 'Support', slug: 'support' }).expect(201);
    const renamed = await as(owner.key).patch(`/v1/projects/${created.body.id}`, { name: 'Support v2' }).expect(200);
    expect(renamed.body).toMatchObject({ name: 'Support v2', slug: 'support' });
    expectProblem(await as(other.key).get(`/v1/projects/${created.body.id}`), 404);
    await as(owner.key).delete(`/v1/projects/${created.body.id}`).expect(204);
    expectProblem(await as(owner.key).get(`/v1/projects/${created.body.id}`), 404);
  });

  it('lets viewers read but not write, and members not manage projects', async () => {
    const viewer = await joinTenant(t.dataSource, owner, 'viewer');
    const member = await joinTenant(t.dataSource, owner, 'member');
    await as(viewer.key).get('/v1/projects').expect(200);
    expectProblem(await as(viewer.key).post('/v1/projects', { name: 'x', slug: 'x-viewer' }), 403);
    expectProblem(await as(member.key).post('/v1/projects', { name: 'x', slug: 'x-member' }), 403);
    expectProblem(await as(member.key).patch(ws(), { name: 'renamed by member' }), 403);
  });

  it('refuses a pinned key writing to another project with 403', async () => {
    const admin = await joinTenant(t.dataSource, owner, 'admin', { pinned: true });
    const elsewhere = await as(owner.key).post('/v1/projects', { name: 'Elsewhere', slug: 'elsewhere' }).expect(201);
    expectProblem(await as(admin.key).patch(`/v1/projects/${elsewhere.body.id}`, { name: 'nope' }), 403);
    await as(admin.key).patch(`/v1/projects/${owner.project.id}`, { description: 'pinned here' }).expect(200);
  });

  it('manages members with audit rows for every membership and role change', async () => {
    const newcomer = await createUser(t.dataSource);
    const added = await as(owner.key).post(`${ws()}/members`, { email: newcomer.email, role: 'member' }).expect(201);
    expect(added.body).toMatchObject({ user_id: newcomer.id, role: 'member' });
    expectProblem(await as(owner.key).post(`${ws()}/members`, { email: newcomer.email, role: 'viewer' }), 409);
    expectProblem(await as(owner.key).post(`${ws()}/members`, { email: 'nobody@example.test', role: 'viewer' }), 404);
    await as(owner.key).patch(`${ws()}/members/${newcomer.id}`, { role: 'admin' }).expect(200);
    await as(owner.key).delete(`${ws()}/members/${newcomer.id}`).expect(204);

    const log = await as(owner.key).get(`${ws()}/audit-log?limit=50`).expect(200);
    const mine = log.body.data.filter((e: { target_id: string }) => e.target_id === newcomer.id);
    expect(mine.map((e: { action: string }) => e.action)).toEqual([
      'membership.removed',
      'membership.role_changed',
      'membership.added',
    ]);
    expect(mine[1].data).toEqual({ from: 'member', to: 'admin' });
    expect(mine[0].actor_user_id).toBe(owner.user.id);
    expect(mine[0].request_id).toEqual(expect.any(String));
  });

  it('pages the audit log with an opaque cursor', async () => {
    const first = await as(owner.key).get(`${ws()}/audit-log?limit=2`).expect(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await as(owner.key).get(`${ws()}/audit-log?limit=2&cursor=${first.body.next_cursor}`).expect(200);
    expect(second.body.data[0].id).not.toBe(first.body.data[1].id);
    expectProblem(await as(owner.key).get(`${ws()}/audit-log?cursor=garbage`), 422);
  });

  it('keeps the audit log for admins and only owners grant ownership', async () => {
    const admin = await joinTenant(t.dataSource, owner, 'admin');
    const member = await joinTenant(t.dataSource, owner, 'member');
    expectProblem(await as(member.key).get(`${ws()}/audit-log`), 403);
    await as(admin.key).get(`${ws()}/audit-log`).expect(200);
    expectProblem(await as(admin.key).patch(`${ws()}/members/${member.user.id}`, { role: 'owner' }), 403);
    expectProblem(await as(admin.key).patch(`${ws()}/members/${owner.user.id}`, { role: 'viewer' }), 403);
  });

  it('keeps at least one owner', async () => {
    const solo = await createTenant(t.dataSource, { role: 'owner' });
    const res = await as(solo.key).patch(`/v1/workspaces/${solo.workspace.id}/members/${solo.user.id}`, {
      role: 'admin',
    });
    expectProblem(res, 409);
    expect(res.body.code).toBe('last_owner');
  });

  it('hides other workspaces: their ids answer 404', async () => {
    const other = await createTenant(t.dataSource);
    expectProblem(await as(owner.key).get(`/v1/workspaces/${other.workspace.id}`), 404);
    expectProblem(await as(owner.key).get(`/v1/workspaces/${other.workspace.id}/members`), 404);
    expectProblem(await as(owner.key).patch(`/v1/workspaces/${other.workspace.id}`, { name: 'hijack' }), 404);
    expectProblem(await as(owner.key).get(`/v1/projects/${other.project.id}`), 404);
  });

  it('lets any signed-in user open a workspace and become its owner; slugs are unique', async () => {
    const created = await as(owner.key).post('/v1/workspaces', { name: 'Second', slug: 'second-ws' }).expect(201);
    expect(created.body.role).toBe('owner');
    expectProblem(await as(owner.key).post('/v1/workspaces', { name: 'Dup', slug: 'second-ws' }), 409);
  });
});
