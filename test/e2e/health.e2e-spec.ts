import request from 'supertest';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment();

describe('health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('reports status, version, uptime and the database', async () => {
    const res = await request(t.http).get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: { status: 'up' } });
    expect(typeof res.body.version).toBe('string');
    expect(res.headers['x-request-id']).toBeDefined();
  });
});
