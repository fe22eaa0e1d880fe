import request from 'supertest';
import { countRows, createTenant, expectProblem, Tenant } from 'test/fixtures/factories';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment({ HTTP_BODY_LIMIT_BYTES: '4096' });

const TABLES = ['api_keys', 'audit_log', 'projects', 'workspaces', 'memberships'];

describe('HTTP contract: problem+json, request ids, bad inputs', () => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createTenant(t.dataSource);
  });
  afterAll(() => t.close());

  const post = (path: string) => request(t.http).post(path).set('X-API-Key', tenant.key);

  it('answers malformed JSON with 400 and changes nothing', async () => {
    const before = await countRows(t.dataSource, TABLES);
    const res = await post('/v1/api-keys').set('Content-Type', 'application/json').send('{"name": "x",');
    expectProblem(res, 400);
    expect(res.body.code).toBe('malformed_json');
    expect(await countRows(t.dataSource, TABLES)).toEqual(before);
  });

  it('answers a wrong content type with 415 and changes nothing', async () => {
    const before = await countRows(t.dataSource, TABLES);
    const res = await post('/v1/api-keys').set('Content-Type', 'text/plain').send('name=x');
    expectProblem(res, 415);
    expect(await countRows(t.dataSource, TABLES)).toEqual(before);
  });

  it('answers an oversized body with 413 and changes nothing', async () => {
    const before = await countRows(t.dataSource, TABLES);
    const res = await post('/v1/api-keys').send({ name: 'x'.repeat(10_000) });
    expectProblem(res, 413);
    expect(await countRows(t.dataSource, TABLES)).toEqual(before);
  });

  it('answers an invalid DTO with 422 naming each field, and changes nothing', async () => {
    const before = await countRows(t.dataSource, TABLES);
    const res = await post('/v1/projects').send({ name: '', slug: 'Not A Slug', extra: true });
    expectProblem(res, 422);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['extra', 'name', 'slug']));
    expect(await countRows(t.dataSource, TABLES)).toEqual(before);
  });

  it('answers a malformed id with 400', async () => {
    const res = await request(t.http).get('/v1/projects/not-a-uuid').set('X-API-Key', tenant.key);
    expectProblem(res, 400);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await request(t.http).get('/v1/nothing-here').set('X-API-Key', tenant.key);
    expectProblem(res, 404);
  });

  it('echoes a sane X-Request-ID and puts it in the problem', async () => {
    const res = await request(t.http).get('/v1/nothing-here').set('X-Request-ID', 'req-abc.123:4');
    expect(res.headers['x-request-id']).toBe('req-abc.123:4');
    expect(res.body.request_id).toBe('req-abc.123:4');
  });

  it('replaces an insane X-Request-ID with its own', async () => {
    const res = await request(t.http).get('/health').set('X-Request-ID', 'bad id with spaces <script>');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets security headers (helmet) and no x-powered-by', async () => {
    const res = await request(t.http).get('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
