import request from 'supertest';
import { createTenant, expectProblem } from 'test/fixtures/factories';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment({ RATE_LIMIT_MAX: '5', RATE_LIMIT_TTL_SECONDS: '60' });

describe('rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers 429 problem+json with Retry-After once a credential exceeds its budget', async () => {
    const tenant = await createTenant(t.dataSource);
    const statuses: number[] = [];
    let limited: request.Response | undefined;
    for (let i = 0; i < 8; i++) {
      const res = await request(t.http).get('/v1/users/me').set('X-API-Key', tenant.key);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(limited).toBeDefined();
    expectProblem(limited!, 429);
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('counts each credential apart, so one noisy key does not limit another', async () => {
    const other = await createTenant(t.dataSource);
    await request(t.http).get('/v1/users/me').set('X-API-Key', other.key).expect(200);
  });
});
