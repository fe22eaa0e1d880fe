import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from 'src/config/configuration';
import { errorCode } from 'src/storage/local-url-signer';
import { GENERATED_KEK_FILE, GENERATED_KEK_VERSION } from '../modelops.constants';
import type { Kek } from './envelope';

const KEK_ENTRY = /^([A-Za-z0-9_.-]{1,32}):([A-Za-z0-9+/]{43}=)$/;

/**
 * The key-encryption keys of credentials: the current one (MODELOPS_KEK) wraps every new or
 * rotated data key; the previous ones (MODELOPS_KEK_PREVIOUS) only unwrap until a rotation has
 * rewrapped everything under the current one.
 *
 * Outside production, without MODELOPS_KEK, a key is generated once under DATA_DIR
 * (`modelops-kek.key`, mode 0600, version `local`) so that restarts and every process on the
 * same data dir agree. Once MODELOPS_KEK is set, that file's key still unwraps (so moving to a
 * configured key is: set MODELOPS_KEK, run `rotate-kek`).
 */
@Injectable()
export class KekRing {
  private readonly logger = new Logger(KekRing.name);
  private readonly configured?: Kek;
  private readonly previous: Kek[];
  private readonly generatedPath: string;
  private loaded?: Promise<{ current: Kek; all: Kek[] }>;

  constructor(config: ConfigService<AllConfig, true>) {
    const modelops = config.getOrThrow('modelops', { infer: true });
    this.configured = modelops.kek;
    this.previous = modelops.previousKeks;
    this.generatedPath = join(config.getOrThrow('app', { infer: true }).dataDir, GENERATED_KEK_FILE);
  }

  /** The key that wraps new data keys. */
  async current(): Promise<Kek> {
    return (await this.load()).current;
  }

  /** Every key that may unwrap a data key stored with `version`, the current one first. */
  async candidates(version: string): Promise<Kek[]> {
    return (await this.load()).all.filter((kek) => kek.version === version);
  }

  private load(): Promise<{ current: Kek; all: Kek[] }> {
    this.loaded ??= this.resolve().catch((err: unknown) => {
      this.loaded = undefined;
      throw err;
    });
    return this.loaded;
  }

  private async resolve(): Promise<{ current: Kek; all: Kek[] }> {
    const generated = this.configured
      ? await readKekFile(this.generatedPath, this.logger)
      : await loadOrCreateKekFile(this.generatedPath, this.logger);
    const current = this.configured ?? generated;
    if (!current) throw new Error('No key-encryption key: set MODELOPS_KEK');
    for (const kek of [current, ...this.previous]) {
      if (kek.key.length !== 32) throw new Error(`Key-encryption key ${kek.version} is not 32 bytes`);
    }
    const all = [current, ...this.previous, ...(generated && generated !== current ? [generated] : [])];
    return { current, all };
  }
}

async function readKekFile(path: string, logger: Logger): Promise<Kek | undefined> {
  let content: string;
  try {
    content = (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  const match = KEK_ENTRY.exec(content);
  if (!match) {
    // Never replace it silently: every credential wrapped under it would be lost.
    throw new Error(`The key-encryption key at ${path} is not <version>:<base64 of 32 bytes>; fix or delete it`);
  }
  const { mode } = await stat(path);
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    logger.warn(`The key-encryption key at ${path} is readable by other users; chmod 600 it`);
  }
  return { version: match[1], key: Buffer.from(match[2], 'base64') };
}

/** Creates the file without a race: written privately, then hard-linked; the first process wins. */
async function loadOrCreateKekFile(path: string, logger: Logger): Promise<Kek> {
  const existing = await readKekFile(path, logger);
  if (existing) return existing;
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  await writeFile(temp, `${GENERATED_KEK_VERSION}:${randomBytes(32).toString('base64')}\n`, {
    mode: 0o600,
    flag: 'wx',
    flush: true,
  });
  try {
    await chmod(temp, 0o600);
    await link(temp, path);
    logger.warn(`Generated a ModelOps key-encryption key at ${path}; set MODELOPS_KEK in production`);
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err;
  } finally {
    await unlink(temp);
  }
  const created = await readKekFile(path, logger);
  if (!created) throw new Error(`The key-encryption key at ${path} vanished while it was being created`);
  return created;
}
