/**
 * The benchmarks' PostgreSQL: each benchmark owns a few databases of the local cluster (never
 * the test or development ones), re-created empty at every run so that row counts can be
 * checked against what the servers acknowledged.
 */
import { Client } from 'pg';

/** The cluster, without a database name (BENCH_PG_URL; each database is appended to it). */
export const PG_URL = (process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');

export async function withClient<T>(database: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: `${PG_URL}/${database}` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** FORCE: a server of an interrupted run may still hold connections to it. */
export async function recreateDatabase(name: string): Promise<void> {
  await withClient('postgres', async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  });
}

/** `SELECT count(*) FROM <table> [WHERE ...]` of a benchmark database (fixed SQL of the benchmarks only). */
export async function countRows(database: string, table: string, where = ''): Promise<number> {
  return withClient(database, async (c) =>
    Number(
      (await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}${where ? ` WHERE ${where}` : ''}`)).rows[0].n,
    ),
  );
}
