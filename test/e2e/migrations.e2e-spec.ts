import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from 'src/database/data-source-options';
import { Client } from 'pg';

/**
 * Every migration runs on an empty database and reverts back to empty, in order. A scratch
 * database of its own keeps this apart from the suite's database.
 */
describe('migrations', () => {
  const base = new URL(process.env.DATABASE_URL!);
  const scratchName = `flightdeck_test_migrations_${process.pid}`;
  const scratch = new URL(base.toString());
  scratch.pathname = `/${scratchName}`;

  async function admin(sql: string) {
    const url = new URL(base.toString());
    url.pathname = '/postgres';
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  beforeAll(() => admin(`CREATE DATABASE "${scratchName}"`));
  afterAll(() => admin(`DROP DATABASE IF EXISTS "${scratchName}" WITH (FORCE)`));

  const userTables = async (ds: DataSource) =>
    (
      await ds.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`,
      )
    ).map((r) => r.table_name);

  it('run from empty and revert back to empty', async () => {
    const ds = await new DataSource(buildDataSourceOptions(scratch.toString(), 2)).initialize();
    try {
      expect(await userTables(ds)).toEqual([]);
      const applied = await ds.runMigrations({ transaction: 'each' });
      expect(applied.length).toBeGreaterThan(0);
      expect(await userTables(ds)).toEqual(expect.arrayContaining(['api_keys', 'audit_log', 'users', 'workspaces']));
      expect(await ds.showMigrations()).toBe(false);
      for (let i = 0; i < applied.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      expect(await userTables(ds)).toEqual([]);
      const again = await ds.runMigrations({ transaction: 'each' });
      expect(again.length).toBe(applied.length);
    } finally {
      await ds.destroy();
    }
  });
});
