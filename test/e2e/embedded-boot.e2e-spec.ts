import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printedApiKeys, startAppProcess } from 'test/fixtures/app-process';

/**
 * `npm start` on a machine with nothing running and no environment: the server starts its own
 * PostgreSQL under DATA_DIR, prints the first API key once, and keeps its data across restarts.
 * Runs the real server in a child process with no DATABASE_URL or REDIS_URL.
 */
describe('first start on embedded defaults', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-boot-'));
  jest.setTimeout(120_000);

  it('serves /health, prints one key that works, and a restart keeps the data and prints none', async () => {
    const first = await startAppProcess({ DATA_DIR: dataDir });
    let key: string;
    try {
      const health = await (await fetch(`${first.url}/health`)).json();
      expect(health).toMatchObject({
        status: 'ok',
        database: { status: 'up', mode: 'embedded' },
        redis: { status: 'disabled' },
      });
      const keys = printedApiKeys(first.output());
      expect(keys).toHaveLength(1);
      key = keys[0];
      const me = await fetch(`${first.url}/v1/users/me`, { headers: { 'X-API-Key': key } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ is_superadmin: true, workspace: { slug: 'default' } });
    } finally {
      await first.stop('SIGTERM');
    }
    // The embedded engine stopped with the server (a graceful shutdown).
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

    const second = await startAppProcess({ DATA_DIR: dataDir });
    try {
      expect(printedApiKeys(second.output())).toEqual([]);
      const me = await fetch(`${second.url}/v1/users/me`, { headers: { 'X-API-Key': key } });
      expect(me.status).toBe(200);
    } finally {
      await second.stop('SIGTERM');
    }
  });
});
