// Imported first by export-openapi.ts: modules read their configuration when they are defined,
// so the scratch environment must be in place before the application module is loaded.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { overrideEnvironment } from 'src/config/configuration';

export const scratchDataDir = mkdtempSync(join(tmpdir(), 'flightdeck-openapi-'));
overrideEnvironment({ DATA_DIR: scratchDataDir, RUN_PROCESSORS: 'false', LOG_LEVEL: 'error' });
