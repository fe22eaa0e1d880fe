import type { AppendTarget } from './ingest.types';

/** Sessions remembered at most: ~200 bytes each, so the cache stays under a few MB. */
const DEFAULT_CAPACITY = 20_000;

/**
 * Which workspace and project each recently written session belongs to. Those two facts never
 * change for a session, so an append can skip the per-request session read: the flush locks the
 * session row anyway and reports a session that has since been deleted, which evicts it here.
 * Least recently used entries go first (a Map keeps insertion order; a hit re-inserts).
 */
export class SessionTargetCache {
  private readonly entries = new Map<string, AppendTarget>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get(sessionId: string): AppendTarget | undefined {
    const target = this.entries.get(sessionId);
    if (target) {
      this.entries.delete(sessionId);
      this.entries.set(sessionId, target);
    }
    return target;
  }

  remember(target: AppendTarget): void {
    this.entries.delete(target.sessionId);
    this.entries.set(target.sessionId, target);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  forget(sessionId: string): void {
    this.entries.delete(sessionId);
  }

  get size(): number {
    return this.entries.size;
  }
}
