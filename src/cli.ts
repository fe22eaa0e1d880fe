import { loadDotEnv } from './config/load-env';
loadDotEnv();

import { NestFactory } from '@nestjs/core';
import { overrideEnvironment } from './config/configuration';
import { KeyRotationService } from './modules/modelops/credentials/key-rotation.service';
import { BootstrapService, printInitialKey } from './modules/users/bootstrap.service';

const USAGE = `Usage: npm run flightdeck -- <command>

Commands:
  bootstrap   Create the initial superadmin, workspace and project when the database is empty,
              or issue a new API key for the superadmin (BOOTSTRAP_ADMIN_EMAIL) and print it once.
  rotate-kek  Rewrap the data key of every ModelOps credential and webhook signing secret with the
              current MODELOPS_KEK (unwrapping with it or any of MODELOPS_KEK_PREVIOUS); secrets
              are never decrypted.
`;

type Command = (app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>>) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  bootstrap: async (app) => {
    const bootstrap = app.get(BootstrapService);
    if (bootstrap.bootstrappedAtStartup) return; // the empty database was just set up, key printed
    const result = await bootstrap.ensureInitialAdmin({ issueKeyIfPresent: true });
    if (result) printInitialKey(result);
  },
  'rotate-kek': async (app) => {
    const result = await app.get(KeyRotationService).rotateAll();
    const kinds = Object.entries(result.by_kind)
      .map(([kind, c]) => `${kind}: ${c.rotated} rewrapped, ${c.unchanged} current, ${c.failed.length} failed`)
      .join('; ');
    process.stdout.write(
      `Key-encryption key ${result.kek_version}: ${result.rotated} data key(s) rewrapped, ${result.unchanged} already current (${kinds})\n`,
    );
    if (result.failed.length > 0) {
      throw new Error(`${result.failed.length} data key(s) could not be unwrapped: ${result.failed.join(', ')}`);
    }
  },
};

async function main(): Promise<number> {
  const command = COMMANDS[process.argv[2] ?? ''];
  if (!command) {
    process.stderr.write(USAGE);
    return 2;
  }
  // A one-shot command: no job processing, quiet logs.
  overrideEnvironment({ RUN_PROCESSORS: 'false', LOG_LEVEL: 'warn' });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AppModule } = require('./app.module') as typeof import('./app.module');
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  try {
    await command(app);
  } finally {
    await app.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
