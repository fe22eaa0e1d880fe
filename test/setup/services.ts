/**
 * The services a test run was given: specs that exercise Redis-backed drivers ask here, so the
 * choice is read in one place (the app itself reads configuration only through src/config).
 */
export const testRedisUrl = (): string | undefined => process.env.REDIS_URL;

/** The database the run's global set-up made (DATABASE_URL, or the embedded engine's). */
export const testDatabaseUrl = (): string | undefined => process.env.DATABASE_URL;
