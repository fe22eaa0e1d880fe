import { existsSync } from 'node:fs';

/** Loads an optional `.env` from the working directory; real environment variables win. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
