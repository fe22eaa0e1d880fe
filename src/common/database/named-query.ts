import type { PoolClient } from 'pg';
import { EntityManager, QueryFailedError } from 'typeorm';

/**
 * Runs `text` as the named prepared statement `name` on the manager's connection (its transaction's,
 * or one taken from the pool for this statement): PostgreSQL parses and plans it once per
 * connection instead of on every call, and the driver no longer sends its text. A name must always
 * stand for the same text. Failures are QueryFailedErrors, as from `manager.query`.
 */
export async function namedQuery<T>(
  manager: EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const own = !manager.queryRunner;
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    const result = await client.query<T & object>({ name, text, values });
    return result.rows;
  } catch (error) {
    throw error instanceof QueryFailedError ? error : new QueryFailedError(text, values, error as Error);
  } finally {
    if (own) await runner.release();
  }
}
