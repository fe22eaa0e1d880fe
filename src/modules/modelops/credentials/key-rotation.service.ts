import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { CredentialsRepository } from './credentials.repository';
import { type Kek, rewrapDataKey, unwrapDataKey } from './envelope';
import { KekRing } from './key-ring';
import { type SealedKeyStore, SealedKeyStores } from './sealed-key-stores';

export interface KekRotationCounts {
  /** Data keys rewrapped by this run. */
  rotated: number;
  /** Data keys already wrapped with the current key. */
  unchanged: number;
  /** Rows whose data key no configured key unwraps (left as they were). */
  failed: string[];
}

export interface KekRotationResult extends KekRotationCounts {
  /** The key every data key is now wrapped with. */
  kek_version: string;
  /** The same counts for each kind of sealed secret (`credential`, `webhook`). */
  by_kind: Record<string, KekRotationCounts>;
}

const BATCH = 100;

/**
 * Rotation of the key-encryption key (`npm run flightdeck -- rotate-kek`): every data key, of
 * every credential and of every store registered in `SealedKeyStores`, is unwrapped with the key
 * of its recorded version (the current MODELOPS_KEK or one of MODELOPS_KEK_PREVIOUS) and
 * rewrapped with the current one. Secrets are never decrypted and their ciphertexts never change.
 * Each row is rewritten under a row lock; running it twice is harmless.
 */
@Injectable()
export class KeyRotationService {
  private readonly logger = new Logger(KeyRotationService.name);
  private readonly credentialStore: SealedKeyStore;

  constructor(
    private readonly dataSource: DataSource,
    credentials: CredentialsRepository,
    private readonly keks: KekRing,
    private readonly audit: AuditLogService,
    private readonly stores: SealedKeyStores,
  ) {
    this.credentialStore = {
      kind: 'credential',
      idsAfter: (after, limit) => credentials.idsAfter(after, limit),
      lockWrappedKey: (id, manager) => credentials.getByIdForUpdate(id, manager),
      saveWrappedKey: (id, key, manager) => credentials.update(id, key, manager),
      boundId: (id) => id,
    };
  }

  async rotateAll(): Promise<KekRotationResult> {
    const current = await this.keks.current();
    const result: KekRotationResult = {
      kek_version: current.version,
      rotated: 0,
      unchanged: 0,
      failed: [],
      by_kind: {},
    };
    for (const store of [this.credentialStore, ...this.stores.list()]) {
      const counts = await this.rotateStore(store, current);
      result.by_kind[store.kind] = counts;
      result.rotated += counts.rotated;
      result.unchanged += counts.unchanged;
      result.failed.push(...counts.failed.map((id) => `${store.kind} ${id}`));
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

  private async rotateStore(store: SealedKeyStore, current: Kek): Promise<KekRotationCounts> {
    const counts: KekRotationCounts = { rotated: 0, unchanged: 0, failed: [] };
    let after: string | undefined;
    for (;;) {
      const ids = await store.idsAfter(after, BATCH);
      if (ids.length === 0) return counts;
      after = ids[ids.length - 1];
      for (const id of ids) {
        const outcome = await this.rotateOne(store, id, current);
        if (outcome === 'failed') counts.failed.push(id);
        else counts[outcome]++;
      }
    }
  }

  private rotateOne(store: SealedKeyStore, id: string, current: Kek) {
    return this.dataSource.transaction(async (manager): Promise<'rotated' | 'unchanged' | 'failed'> => {
      const row = await store.lockWrappedKey(id, manager);
      if (!row) return 'unchanged'; // deleted meanwhile
      const boundId = store.boundId(id);
      if (row.kekVersion === current.version) {
        try {
          unwrapDataKey(row.wrappedDataKey, boundId, [current]);
          return 'unchanged';
        } catch {
          // same version label, another key: rewrap below with whichever key of that version works
        }
      }
      try {
        const { wrappedDataKey, kekVersion } = rewrapDataKey(
          row,
          boundId,
          await this.keks.candidates(row.kekVersion),
          current,
        );
        await store.saveWrappedKey(id, { wrappedDataKey, kekVersion }, manager);
        return 'rotated';
      } catch {
        this.logger.error(
          `${store.kind} ${id}: no configured key-encryption key unwraps its data key (${row.kekVersion})`,
        );
        return 'failed';
      }
    });
  }
}
