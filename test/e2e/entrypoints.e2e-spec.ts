import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { printedApiKeys } from 'test/fixtures/app-process';
import { runScript } from 'test/fixtures/run-script';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment();

/** The other entry points: the bootstrap command and the worker process. */
describe('entry points', () => {
  let t: TestApp;
  const env = () => ({ DATABASE_URL: process.env.DATABASE_URL!, DATA_DIR: mkdtempSync(join(tmpdir(), 'fd-entry-')) });
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  jest.setTimeout(120_000);

  it('`flightdeck bootstrap` prints a new working superadmin key on demand, once per call', async () => {
    const run = await runScript('src/cli.ts', ['bootstrap'], env());
    expect(run.code).toBe(0);
    const keys = printedApiKeys(run.output);
    expect(keys).toHaveLength(1);
    const me = await request(t.http).get('/v1/users/me').set('X-API-Key', keys[0]).expect(200);
    expect(me.body).toMatchObject({ is_superadmin: true, workspace: { slug: 'default' } });
    const again = await runScript('src/cli.ts', ['bootstrap'], env());
    expect(printedApiKeys(again.output)).toHaveLength(1);
    expect(printedApiKeys(again.output)[0]).not.toBe(keys[0]);
  });

  it('`flightdeck` without a known command prints its usage and fails', async () => {
    const run = await runScript('src/cli.ts', ['nonsense'], env());
    expect(run.code).toBe(2);
    expect(run.output).toContain('Usage: npm run flightdeck');
  });

  it('the worker starts the processors without serving HTTP', async () => {
    const run = await runScript('src/worker.ts', [], { ...env(), PORT: '1' }, { until: /worker started/ });
    expect(run.output).toContain('Flightdeck worker started');
    expect(run.output).not.toMatch(/listening on/i);
  });
});
