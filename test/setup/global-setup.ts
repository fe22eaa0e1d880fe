import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/**
 * One fresh database for the whole run. With DATABASE_URL (CI, a developer's PostgreSQL) the
 * database it names is dropped and re-created, and only if its name contains `test`. Without
 * it, an embedded engine is started in a temporary directory, as the app does on a fresh machine.
 */
export default async function globalSetup(): Promise<void> {
  const configured = process.env.DATABASE_URL;
  if (configured) {
    const url = new URL(configured);
    const name = url.pathname.replace(/^\//, '');
    if (!/test/i.test(name)) {
      throw new Error(`Refusing to run tests on database "${name}": its name must contain "test"`);
    }
    await recreateDatabase(url, name);
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-test-'));
  const engine = await startEmbeddedPostgres(dataDir);
  const url = new URL(engine.url);
  await recreateDatabase(url, 'flightdeck_test');
  url.pathname = '/flightdeck_test';
  process.env.DATABASE_URL = url.toString();
  (globalThis as { __embeddedPostgres?: typeof engine }).__embeddedPostgres = engine;
}

async function recreateDatabase(url: URL, name: string): Promise<void> {
  const admin = new URL(url.toString());
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}
