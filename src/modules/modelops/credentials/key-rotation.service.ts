import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { CredentialsRepository } from './credentials.repository';
import { rewrapDataKey, unwrapDataKey } from './envelope';
import { KekRing } from './key-ring';

export interface KekRotationResult {
  /** The key every data key is now wrapped with. */
  kek_version: string;
  /** Data keys rewrapped by this run. */
  rotated: number;
  /** Data keys already wrapped with the current key. */
  unchanged: number;
  /** Credentials whose data key no configured key unwraps (left as they were). */
  failed: string[];
}

const BATCH = 100;

/**
 * Rotation of the key-encryption key (`npm run flightdeck -- rotate-kek`): every data key is
 * unwrapped with the key of its recorded version (the current MODELOPS_KEK or one of
 * MODELOPS_KEK_PREVIOUS) and rewrapped with the current one. Secrets are never decrypted and
 * their ciphertexts never change. Each row is rewritten under a row lock; running it twice is
 * harmless.
 */
@Injectable()
export class KeyRotationService {
  private readonly logger = new Logger(KeyRotationService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly credentials: CredentialsRepository,
    private readonly keks: KekRing,
    private readonly audit: AuditLogService,
  ) {}

  async rotateAll(): Promise<KekRotationResult> {
    const current = await this.keks.current();
    const result: KekRotationResult = { kek_version: current.version, rotated: 0, unchanged: 0, failed: [] };
    let after: string | undefined;
    for (;;) {
      const ids = await this.credentials.idsAfter(after, BATCH);
      if (ids.length === 0) break;
      after = ids[ids.length - 1];
      for (const id of ids) {
        const outcome = await this.rotateOne(id, current);
        if (outcome === 'failed') result.failed.push(id);
        else result[outcome]++;
      }
    }
    await this.audit.record(null, {
      workspaceId: null,
      action: 'modelops.kek.rotated',
      targetType: 'modelops_kek',
      targetId: null,
      data: { ...result },
    });
    this.logger.log(
      `Key-encryption key rotation to ${current.version}: ${result.rotated} rewrapped, ${result.unchanged} unchanged, ${result.failed.length} failed`,
    );
    return result;
  }

  private rotateOne(id: string, current: Awaited<ReturnType<KekRing['current']>>) {
    return this.dataSource.transaction(async (manager): Promise<'rotated' | 'unchanged' | 'failed'> => {
      const row = await this.credentials.getByIdForUpdate(id, manager);
      if (!row) return 'unchanged'; // deleted meanwhile
      if (row.kekVersion === current.version) {
        try {
          unwrapDataKey(row.wrappedDataKey, row.id, [current]);
          return 'unchanged';
        } catch {
          // same version label, another key: rewrap below with whichever key of that version works
        }
      }
      try {
        const rewrapped = rewrapDataKey(row, row.id, await this.keks.candidates(row.kekVersion), current);
        await this.credentials.update(
          row.id,
          { wrappedDataKey: rewrapped.wrappedDataKey, kekVersion: rewrapped.kekVersion },
          manager,
        );
        return 'rotated';
      } catch {
        this.logger.error(
          `Credential ${row.id}: no configured key-encryption key unwraps its data key (${row.kekVersion})`,
        );
        return 'failed';
      }
    });
  }
}
