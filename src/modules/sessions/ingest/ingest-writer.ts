import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { sameContent } from '../events/event-content';
import { SessionsEvents } from '../sessions.events';
import {
  IngestRepository,
  isUniqueViolation,
  LockedSession,
  NewEventRow,
  StoredEvent,
  WorkspaceHead,
} from './ingest.repository';
import { AppendRequest, CommittedAppend, EventInput, EventOutcome } from './ingest.types';
import { KnownSessions } from './known-sessions';

interface Pending {
  request: AppendRequest;
  resolve: (outcomes: EventOutcome[]) => void;
  reject: (error: unknown) => void;
}

/** Events one flush takes at most: large enough to amortise a commit, small enough to stay quick. */
const MAX_EVENTS_PER_FLUSH = 4000;
/** Transactions in flight at once: one prepares while another commits. */
const MAX_CONCURRENT_FLUSHES = 2;
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57P01', '08006', '08003']);
const MONOTONIC = 'seq must be monotonic for this session';
/** The outcome of every event of a request whose session no longer exists. */
export const SESSION_NOT_FOUND = 'session not found';
const KEY_REUSED = 'idempotency_key was already used with other content';

type Stored = { status: 'stored' | 'duplicate'; seq: number; subSeq: number; streamSeq: number };

/** An event chosen for insertion in this flush, and every outcome that reports it. */
interface Candidate {
  row: NewEventRow;
  event: EventInput;
  outcome: Stored;
  /** Identical retries of it within the same flush: they report its position once it has one. */
  twins: Stored[];
}

interface SessionState {
  lastSeq: number;
  lastSubSeq: number;
}

/** A locked session during one flush: its moving high-water mark and what it already holds. */
interface FlushState extends SessionState {
  /** Stored events that incoming ones may collide with, by idempotency key. */
  stored: Map<string, StoredEvent>;
  /** Agent seqs (sub_seq 0) known to be taken: looked up, or given out in this flush. */
  storedSeqs: Set<number>;
  /** Events of this flush by idempotency key: a repeat within the flush is its twin. */
  flushKeys: Map<string, Candidate>;
}

interface FlushResult {
  outcomes: EventOutcome[][];
  committed: CommittedAppend[];
  /** The sessions' marks and status as this flush leaves them, where it can tell them for sure. */
  sessions: LockedSession[];
}

const pairKey = (sessionId: string, part: string | number) => `${sessionId}|${part}`;
const sessionIdsOf = (batch: Pending[]) => [...new Set(batch.map((p) => p.request.target.sessionId))];

/**
 * The one way events enter a session log. Concurrent appends are gathered while earlier
 * transactions commit and written together (group commit): a few set-based statements and one
 * commit for many requests. Each caller's promise settles only after the commit, so an
 * acknowledged event is durable. Decisions (idempotent retry, conflict, monotonic seq) are
 * made under the session row locks, so concurrent retries store each event exactly once.
 *
 * Only events that can collide with stored ones are looked up first: client events at or below
 * the high-water mark (retries, conflicts, late events) and server-numbered ones (whose keys are
 * re-sent). Events above the mark, nearly all of them, go straight to the insert, which skips the
 * rare row that collides anyway; that row is then settled by the same rules.
 */
@Injectable()
export class IngestWriter implements OnApplicationShutdown {
  private readonly logger = new Logger(IngestWriter.name);
  private queue: Pending[] = [];
  private readonly flushes = new Set<Promise<void>>();
  private readonly known = new KnownSessions();

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: IngestRepository,
    private readonly events: SessionsEvents,
  ) {}

  append(request: AppendRequest): Promise<EventOutcome[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.kick();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    // Acknowledged work is never cut off by a graceful stop.
    while (this.flushes.size > 0) await Promise.all(this.flushes);
  }

  /**
   * Starts flushes while fewer than MAX_CONCURRENT_FLUSHES run: a second transaction prepares
   * (locks, decisions) while the first commits. The workspace stream row lock still orders their
   * commits, as it does between replicas.
   */
  private kick(): void {
    while (this.flushes.size < MAX_CONCURRENT_FLUSHES && this.queue.length > 0) {
      const flush: Promise<void> = this.flushWithIsolation(this.takeBatch()).finally(() => {
        this.flushes.delete(flush);
        this.kick();
      });
      this.flushes.add(flush);
    }
  }

  private takeBatch(): Pending[] {
    let events = 0;
    let taken = 0;
    while (taken < this.queue.length) {
      const size = this.queue[taken].request.events.length;
      if (taken > 0 && events + size > MAX_EVENTS_PER_FLUSH) break;
      events += size;
      taken++;
    }
    return this.queue.splice(0, taken);
  }

  /** A batch failing for a reason other than contention is retried request by request, so a bad request fails alone. */
  private async flushWithIsolation(batch: Pending[]): Promise<void> {
    try {
      await this.flushWithRetry(batch);
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      for (const pending of batch) {
        await this.flushWithRetry([pending]).catch((e: unknown) => pending.reject(e));
      }
    }
  }

  private async flushWithRetry(batch: Pending[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { outcomes, committed, sessions } =
          (await this.writeFromKnownSessions(batch)) ??
          (await this.dataSource.transaction((manager) => this.writeLocked(manager, batch)));
        this.known.remember(sessions);
        batch.forEach((pending, i) => pending.resolve(outcomes[i]));
        for (const append of committed) this.events.emitCommitted(append);
        return;
      } catch (error) {
        const code = error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
        if (attempt >= 3 || !code || !TRANSIENT_SQLSTATES.has(code)) throw error;
        this.logger.warn(`append flush retried after ${code} (attempt ${attempt})`);
      }
    }
  }

  /**
   * The common case in one autocommitted statement: every session's marks are known from this
   * process's last flush of it, so decisions need no locked read, and the insert confirms them
   * under its own locks. Null when that cannot be used or did not hold; nothing was written then.
   * An event whose key is stored under another seq (a retry the lookups could not foresee) fails
   * that insert too: the locked way settles it.
   */
  private async writeFromKnownSessions(batch: Pending[]): Promise<FlushResult | null> {
    const known = this.known.take(sessionIdsOf(batch));
    if (!known) return null;
    try {
      return await this.write(this.dataSource.manager, batch, known, 'known');
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  private async writeLocked(manager: EntityManager, batch: Pending[]): Promise<FlushResult> {
    const locked = await this.repository.lockSessions(manager, sessionIdsOf(batch));
    const result = await this.write(manager, batch, locked, 'locked');
    if (!result) throw new Error('an insert under the session locks found the sessions changed');
    return result;
  }

  /**
   * Decides every event against the sessions' marks and writes the stored ones. With marks merely
   * 'known' (not read under lock), it gives up (null) where the insert would not confirm every
   * decision: a session whose events are all rejected, or marks that no longer hold.
   */
  private async write(
    manager: EntityManager,
    batch: Pending[],
    locked: LockedSession[],
    marks: 'locked' | 'known',
  ): Promise<FlushResult | null> {
    const initial = new Map(locked.map((r) => [r.id, { lastSeq: Number(r.last_seq), lastSubSeq: r.last_sub_seq }]));
    // Written out, not spread: V8 gives a spread copy a hidden class that later properties cannot
    // share, so each flush would make new ones.
    const state = new Map<string, FlushState>(
      [...initial].map(([id, s]) => [
        id,
        {
          lastSeq: s.lastSeq,
          lastSubSeq: s.lastSubSeq,
          stored: new Map(),
          storedSeqs: new Set(),
          flushKeys: new Map(),
        },
      ]),
    );

    // Per-session maps keyed by the key or seq alone: no composite strings on the hot path.
    for (const e of await this.lookUpPossibleCollisions(manager, batch, initial)) {
      const session = state.get(e.session_id);
      if (!session) continue;
      session.stored.set(e.idempotency_key, e);
      if (e.sub_seq === 0) session.storedSeqs.add(Number(e.seq));
    }

    const candidates: Candidate[] = [];
    const outcomes = batch.map(({ request }) =>
      request.events.map((event): EventOutcome => {
        const { sessionId } = request.target;
        const session = state.get(sessionId);
        if (!session) return { status: 'rejected', reason: SESSION_NOT_FOUND, conflict: false };
        const payloadJson = event.payloadJson ?? JSON.stringify(event.payload);
        const key = event.idempotency_key;

        const prior = session.stored.get(key);
        if (prior) return settleAgainstStored(prior, event);
        const twin = session.flushKeys.get(key);
        if (twin) {
          const identical =
            twin.row.payloadJson === payloadJson &&
            twin.row.type === event.type &&
            twin.row.clientTs === (event.timestamp ?? null);
          if (!identical && !sameContent(twin.event, event)) {
            return { status: 'rejected', reason: KEY_REUSED, conflict: true };
          }
          const duplicate: Stored = { ...twin.outcome, status: 'duplicate' };
          twin.twins.push(duplicate);
          return duplicate;
        }

        let seq: number;
        let subSeq = 0;
        if (request.mode === 'client') {
          seq = event.seq ?? 0;
          // Seqs above the mark cannot be taken: only those at or below it are looked up.
          if (seq <= session.lastSeq) {
            if (session.storedSeqs.has(seq)) {
              return { status: 'rejected', reason: `seq ${seq} is already taken by another event`, conflict: true };
            }
            return { status: 'rejected', reason: MONOTONIC, conflict: false };
          }
          session.lastSeq = seq;
          session.lastSubSeq = 0;
        } else if (request.mode === 'next') {
          seq = ++session.lastSeq;
          session.lastSubSeq = 0;
        } else {
          seq = session.lastSeq;
          subSeq = ++session.lastSubSeq;
        }
        if (subSeq === 0) session.storedSeqs.add(seq);
        const candidate: Candidate = {
          row: {
            sessionId,
            seq,
            subSeq,
            workspaceId: request.target.workspaceId,
            projectId: request.target.projectId,
            idempotencyKey: key,
            type: event.type,
            origin: request.origin,
            clientTs: event.timestamp ?? null,
            payloadJson,
          },
          event,
          outcome: { status: 'stored', seq, subSeq, streamSeq: 0 },
          twins: [],
        };
        candidates.push(candidate);
        session.flushKeys.set(key, candidate);
        return candidate.outcome;
      }),
    );

    if (marks === 'known' && new Set(candidates.map((c) => c.row.sessionId)).size < locked.length) return null;
    const heads = await this.repository.insertEvents(
      manager,
      candidates.map((c) => c.row),
      new Map(locked.map((r) => [r.id, r])),
      marks === 'known' ? 'fail' : 'skip',
    );
    if (candidates.length > 0 && heads.length === 0) return null;
    const skipped = await this.assignPositions(manager, candidates, heads);
    if (skipped.length > 0) await this.settleSkipped(manager, skipped);
    const stored = skipped.length > 0 ? candidates.filter((c) => !skipped.includes(c)) : candidates;
    const ended = new Set(locked.filter((r) => r.status !== 'running').map((r) => r.id));
    return {
      outcomes,
      committed: committedAppends(heads, stored, ended),
      sessions: sessionsAfter(locked, state, candidates, skipped),
    };
  }

  /**
   * Each candidate's stream position follows from its workspace's new head: the insert numbered
   * them in input order. Where a workspace stored fewer than it was sent, the skipped ones are
   * found and returned.
   */
  private async assignPositions(manager: EntityManager, candidates: Candidate[], heads: WorkspaceHead[]) {
    const next = new Map(heads.map((h) => [h.workspace_id, Number(h.head) - h.count]));
    for (const candidate of candidates) {
      const position = (next.get(candidate.row.workspaceId) ?? 0) + 1;
      next.set(candidate.row.workspaceId, position);
      candidate.outcome.streamSeq = position;
      for (const twin of candidate.twins) twin.streamSeq = position;
    }
    const incomplete = new Set(heads.filter((h) => h.inserted < h.count).map((h) => h.workspace_id));
    if (incomplete.size === 0) return [];
    const suspects = candidates.filter((c) => incomplete.has(c.row.workspaceId));
    const found = await this.repository.storedAt(
      manager,
      suspects.map((c) => ({ sessionId: c.row.sessionId, key: c.row.idempotencyKey, streamSeq: c.outcome.streamSeq })),
    );
    return suspects.filter((c) => !found.has(pairKey(c.row.sessionId, c.row.idempotencyKey)));
  }

  /**
   * The stored events that incoming ones may collide with: keys of server-numbered events, and
   * keys and seqs of client events at or below the session's high-water mark.
   */
  private lookUpPossibleCollisions(
    manager: EntityManager,
    batch: Pending[],
    initial: Map<string, SessionState>,
  ): Promise<StoredEvent[]> {
    const keys: { sessionId: string; key: string }[] = [];
    const seqs: { sessionId: string; seq: number }[] = [];
    for (const { request } of batch) {
      const { sessionId } = request.target;
      const start = initial.get(sessionId);
      const highWater = start?.lastSeq ?? 0;
      // A session with no event yet (read under its row lock) has nothing to collide with.
      const empty = !start || (start.lastSeq === 0 && start.lastSubSeq === 0);
      for (const event of request.events) {
        const seq = event.seq ?? 0;
        if (request.mode === 'client' ? seq <= highWater : !empty) keys.push({ sessionId, key: event.idempotency_key });
        if (request.mode === 'client' && seq <= highWater) seqs.push({ sessionId, seq });
      }
    }
    return this.repository.findExisting(manager, keys, seqs);
  }

  /**
   * Candidates the insert skipped collided with a stored event nobody looked up (a retry sent
   * with another seq): settle them by their stored twin, as duplicates or conflicts.
   */
  private async settleSkipped(manager: EntityManager, skipped: Candidate[]): Promise<void> {
    const stored = await this.repository.findExisting(
      manager,
      skipped.map((c) => ({ sessionId: c.row.sessionId, key: c.row.idempotencyKey })),
      [],
    );
    const byKey = new Map(stored.map((e) => [pairKey(e.session_id, e.idempotency_key), e]));
    for (const candidate of skipped) {
      const prior = byKey.get(pairKey(candidate.row.sessionId, candidate.row.idempotencyKey));
      const settled: EventOutcome = prior
        ? settleAgainstStored(prior, candidate.event)
        : { status: 'rejected', reason: `seq ${candidate.row.seq} is already taken by another event`, conflict: true };
      for (const outcome of [candidate.outcome as EventOutcome, ...candidate.twins]) Object.assign(outcome, settled);
    }
  }
}

/** A retry (same key) of a stored event: a duplicate when the content is the same, else a conflict. */
function settleAgainstStored(prior: StoredEvent, event: EventInput): EventOutcome {
  if (!sameContent({ type: prior.type, timestamp: prior.client_ts, payload: prior.payload }, event))
    return { status: 'rejected', reason: KEY_REUSED, conflict: true };
  return { status: 'duplicate', seq: Number(prior.seq), subSeq: prior.sub_seq, streamSeq: Number(prior.stream_seq) };
}

function committedAppends(heads: WorkspaceHead[], stored: Candidate[], endedBefore: Set<string>): CommittedAppend[] {
  const ended = new Set(stored.filter((c) => c.row.type === 'session.end').map((c) => c.row.sessionId));
  return heads.map((h) => {
    const sessionIds = [
      ...new Set(stored.filter((c) => c.row.workspaceId === h.workspace_id).map((c) => c.row.sessionId)),
    ];
    return {
      workspaceId: h.workspace_id,
      head: Number(h.head),
      sessionIds,
      endedSessionIds: sessionIds.filter((id) => ended.has(id)),
      lateSessionIds: sessionIds.filter((id) => endedBefore.has(id) && !ended.has(id)),
    };
  });
}

/**
 * Each session's marks and status after the flush. A session where the insert skipped an event, or
 * stored an end (which sets the status from its payload), is left out: its next flush reads it.
 */
function sessionsAfter(
  locked: LockedSession[],
  state: Map<string, SessionState>,
  candidates: Candidate[],
  skipped: Candidate[],
): LockedSession[] {
  const unsure = new Set(skipped.map((c) => c.row.sessionId));
  for (const { row } of candidates) if (row.type === 'session.end') unsure.add(row.sessionId);
  return locked
    .filter((r) => !unsure.has(r.id))
    .map((r) => {
      const { lastSeq, lastSubSeq } = state.get(r.id)!;
      return { ...r, last_seq: String(lastSeq), last_sub_seq: lastSubSeq };
    });
}
