import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SealedSecret } from './envelope';

/** A row's data key as stored: wrapped by the key-encryption key of `kekVersion`. */
export type WrappedKey = Pick<SealedSecret, 'wrappedDataKey' | 'kekVersion'>;

/**
 * A table of secrets sealed with the envelope encryption of credentials (src/modules/modelops/
 * credentials/envelope.ts), which `rotate-kek` must walk: credentials, and whatever other modules
 * register here (webhook signing secrets), so that rotation never leaves a secret behind under a
 * key that is about to be retired.
 */
export interface SealedKeyStore {
  /** What its rows are, in the rotation's summary and audit record: `credential`, `webhook`. */
  readonly kind: string;
  /** Row ids in order, a batch at a time. */
  idsAfter(afterId: string | undefined, limit: number): Promise<string[]>;
  /** The row's wrapped data key under a row lock; null when the row was deleted meanwhile. */
  lockWrappedKey(id: string, manager: EntityManager): Promise<WrappedKey | null>;
  saveWrappedKey(id: string, key: WrappedKey, manager: EntityManager): Promise<void>;
  /** The id the row's keys are bound to (their associated data), e.g. `webhook:<id>`. */
  boundId(id: string): string;
}

/** Where modules that seal secrets register their tables; modelops depends on none of them. */
@Injectable()
export class SealedKeyStores {
  private readonly stores: SealedKeyStore[] = [];

  register(store: SealedKeyStore): void {
    if (this.stores.some((s) => s.kind === store.kind))
      throw new Error(`sealed key store "${store.kind}" is registered twice`);
    this.stores.push(store);
  }

  list(): readonly SealedKeyStore[] {
    return this.stores;
  }
}
