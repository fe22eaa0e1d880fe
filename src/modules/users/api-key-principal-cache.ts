import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from 'src/config/configuration';
import type { Principal } from 'src/modules/auth/principal';

/** Keys kept at most: an LRU bound, far above the keys one process serves at once. */
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  until: number;
}

/**
 * API-key principals, kept briefly per process. Every SDK request authenticates by its key; under
 * ingest load the lookup (a three-table join) cost a PostgreSQL round trip per request, and its
 * wait in the event loop showed in every answer's latency.
 *
 * Only found keys are kept (a key created a moment ago works at once), never past the key's own
 * expiry. What changes a key's principal (revoking it, a role change, leaving the workspace,
 * deleting its project or workspace, a superadmin promotion) calls `invalidate()` after its
 * commit, which empties this process's cache at once; other processes see the change within
 * `AUTH_API_KEY_CACHE_TTL_MS`. A lookup that began before an invalidation is not kept, so it
 * cannot put back what the invalidation removed.
 */
@Injectable()
export class ApiKeyPrincipalCache {
  private readonly ttlMs: number;
  private readonly entries = new Map<string, Entry>();
  private generation = 0;

  constructor(config: ConfigService<AllConfig, true>) {
    this.ttlMs = config.getOrThrow('auth', { infer: true }).apiKeyCacheTtlMs;
  }

  get(keyHash: string): Principal | undefined {
    const entry = this.entries.get(keyHash);
    if (!entry) return undefined;
    this.entries.delete(keyHash);
    if (entry.until <= Date.now()) return undefined;
    this.entries.set(keyHash, entry); // most recently used last
    return entry.principal;
  }

  /** Taken before the lookup whose result is then offered to `set`. */
  currentGeneration(): number {
    return this.generation;
  }

  set(keyHash: string, principal: Principal, keyExpiresAt: Date | null, lookupGeneration: number): void {
    if (this.ttlMs === 0 || lookupGeneration !== this.generation) return;
    const until = Math.min(Date.now() + this.ttlMs, keyExpiresAt?.getTime() ?? Infinity);
    this.entries.delete(keyHash);
    this.entries.set(keyHash, { principal, until });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
  }

  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }
}
