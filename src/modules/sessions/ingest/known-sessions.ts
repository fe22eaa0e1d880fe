import type { LockedSession } from './ingest.repository';

/** Sessions kept at most: an LRU bound, far above the sessions one process appends to at once. */
const MAX_SESSIONS = 10_000;

/**
 * What this process last committed for each session it appends to: the marks and status a flush
 * would otherwise read under the session row lock. A flush that finds all its sessions here skips
 * that read and its transaction: its single insert statement locks the sessions itself and writes
 * nothing unless they still hold exactly these values (another replica, an upload or a deletion
 * may have moved them), in which case the flush runs again the locked way. So an entry is only
 * ever a guess that the database confirms; a stale one costs a retry, never a wrong answer.
 *
 * A flush takes its sessions out for as long as it runs: a concurrent flush of the same session
 * finds nothing and takes the locked path, which waits for the first to commit.
 */
export class KnownSessions {
  private readonly sessions = new Map<string, LockedSession>();

  /** All of the given sessions, removed from here; or null (and nothing removed) if one is missing. */
  take(ids: string[]): LockedSession[] | null {
    const found: LockedSession[] = [];
    for (const id of ids) {
      const session = this.sessions.get(id);
      if (!session) return null;
      found.push(session);
    }
    for (const id of ids) this.sessions.delete(id);
    return found;
  }

  /** Sessions as a flush committed them; most recently used last, the oldest go past the bound. */
  remember(sessions: LockedSession[]): void {
    for (const session of sessions) {
      this.sessions.delete(session.id);
      this.sessions.set(session.id, session);
    }
    for (const id of this.sessions.keys()) {
      if (this.sessions.size <= MAX_SESSIONS) break;
      this.sessions.delete(id);
    }
  }
}
