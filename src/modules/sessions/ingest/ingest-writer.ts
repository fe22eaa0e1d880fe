import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { eventContentHash } from '../events/content-hash';
import { SessionsEvents } from '../sessions.events';
import { EventRow, IngestRepository, LockedSession, SessionProgress, StoredEventKey } from './ingest.repository';
import { AppendRequest, CommittedAppend, EventOutcome } from './ingest.types';

interface Pending {
  request: AppendRequest;
  resolve: (outcomes: EventOutcome[]) => void;
  reject: (error: unknown) => void;
}

/** Events one flush takes at most: large enough to amortise a commit, small enough to stay quick. */
const MAX_EVENTS_PER_FLUSH = 5000;
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57P01', '08006', '08003']);
const MONOTONIC = 'seq must be monotonic for this session';

/** A stored event waiting for its stream position, and the places that report it. */
interface PendingPosition {
  row: EventRow;
  outcome: { streamSeq: number };
  key: StoredEventKey;
}

/** Per-session state while one flush decides its events. */
interface SessionState {
  locked: LockedSession;
  lastSeq: number;
  lastSubSeq: number;
  added: number;
  endStatus: string | null;
}

/**
 * The one way events enter a session log. Concurrent appends are gathered while the previous
 * transaction commits and written together: one transaction, a few set-based statements and
 * one commit for many requests (group commit). Each caller's promise settles only after the
 * commit, so an acknowledged event is durable. Within a flush every decision (idempotent
 * retry, conflict, monotonic seq) is made under the session row locks, so concurrent retries
 * of the same batch store each event exactly once.
 */
@Injectable()
export class IngestWriter implements OnApplicationShutdown {
  private readonly logger = new Logger(IngestWriter.name);
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: IngestRepository,
    private readonly events: SessionsEvents,
  ) {}

  append(request: AppendRequest): Promise<EventOutcome[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.flushing ??= this.drain();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushing; // acknowledged work is never cut off by a graceful stop
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        await this.flushWithIsolation(batch);
      }
    } finally {
      this.flushing = null;
    }
  }

  private takeBatch(): Pending[] {
    let events = 0;
    let taken = 0;
    while (
      taken < this.queue.length &&
      (taken === 0 || events + this.queue[taken].request.events.length <= MAX_EVENTS_PER_FLUSH)
    ) {
      events += this.queue[taken].request.events.length;
      taken++;
    }
    return this.queue.splice(0, taken);
  }

  /** A batch that fails for a reason other than contention is retried request by request, so one bad request fails alone. */
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
        const { outcomes, committed } = await this.dataSource.transaction((manager) => this.write(manager, batch));
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

  private async write(manager: EntityManager, batch: Pending[]) {
    const sessionIds = [...new Set(batch.map((p) => p.request.target.sessionId))];
    const locked = await this.repository.lockSessions(manager, sessionIds);
    const sessions = new Map<string, SessionState>(
      locked.map((row) => [
        row.id,
        { locked: row, lastSeq: Number(row.last_seq), lastSubSeq: row.last_sub_seq, added: 0, endStatus: null },
      ]),
    );
    const keys = batch.flatMap((p) => p.request.events.map((e) => e.idempotency_key));
    const seqs = batch.flatMap((p) => p.request.events.flatMap((e) => (e.seq === undefined ? [] : [e.seq])));
    const existing = await this.repository.findExisting(manager, sessionIds, keys, seqs);
    const byKey = new Map<string, StoredEventKey>(existing.map((e) => [`${e.session_id}|${e.idempotency_key}`, e]));
    const seqTaken = new Set(existing.filter((e) => e.sub_seq === 0).map((e) => `${e.session_id}|${e.seq}`));

    const rows: EventRow[] = [];
    const pendingStream: PendingPosition[] = [];
    const sameFlushDuplicates: { keyId: string; outcome: { streamSeq: number } }[] = [];
    const outcomes = batch.map((pending) =>
      pending.request.events.map((event): EventOutcome => {
        const { target, mode, origin } = pending.request;
        const state = sessions.get(target.sessionId);
        if (!state) return { status: 'rejected', reason: 'session not found', conflict: false };
        const hash = eventContentHash(event.type, event.timestamp, event.payload);
        const keyId = `${target.sessionId}|${event.idempotency_key}`;
        const prior = byKey.get(keyId);
        if (prior) {
          if (prior.content_hash !== hash) {
            return {
              status: 'rejected',
              reason: 'idempotency_key was already used with other content',
              conflict: true,
            };
          }
          const duplicate = {
            status: 'duplicate' as const,
            seq: Number(prior.seq),
            subSeq: prior.sub_seq,
            streamSeq: Number(prior.stream_seq),
          };
          // Its twin was stored earlier in this flush: the position is known only after assignment.
          if (prior.stream_seq === '0') sameFlushDuplicates.push({ keyId, outcome: duplicate });
          return duplicate;
        }
        let seq: number;
        let subSeq = 0;
        if (mode === 'client') {
          seq = event.seq ?? 0;
          if (seqTaken.has(`${target.sessionId}|${seq}`)) {
            return { status: 'rejected', reason: `seq ${seq} is already taken by another event`, conflict: true };
          }
          if (seq <= state.lastSeq) return { status: 'rejected', reason: MONOTONIC, conflict: false };
          state.lastSeq = seq;
          state.lastSubSeq = 0;
        } else if (mode === 'next') {
          seq = ++state.lastSeq;
          state.lastSubSeq = 0;
        } else {
          seq = state.lastSeq;
          subSeq = ++state.lastSubSeq;
        }
        state.added++;
        if (event.type === 'session.end') state.endStatus = String(event.payload.status);
        const row: EventRow = {
          sessionId: target.sessionId,
          seq,
          subSeq,
          workspaceId: target.workspaceId,
          projectId: target.projectId,
          streamSeq: 0,
          idempotencyKey: event.idempotency_key,
          type: event.type,
          origin,
          clientTs: event.timestamp ?? null,
          payloadJson: JSON.stringify(event.payload),
          contentHash: hash,
        };
        rows.push(row);
        seqTaken.add(`${target.sessionId}|${seq}`);
        const stored = { status: 'stored' as const, seq, subSeq, streamSeq: 0 };
        const storedKey: StoredEventKey = {
          session_id: target.sessionId,
          seq: String(seq),
          sub_seq: subSeq,
          idempotency_key: event.idempotency_key,
          content_hash: hash,
          stream_seq: '0',
        };
        byKey.set(keyId, storedKey);
        pendingStream.push({ row, outcome: stored, key: storedKey });
        return stored;
      }),
    );

    const committed = await this.assignStreamPositions(manager, rows, pendingStream);
    for (const { keyId, outcome } of sameFlushDuplicates) outcome.streamSeq = Number(byKey.get(keyId)?.stream_seq ?? 0);
    await this.repository.insertEvents(manager, rows);
    const progress: SessionProgress[] = [...sessions.values()]
      .filter((s) => s.added > 0)
      .map((s) => ({
        id: s.locked.id,
        lastSeq: s.lastSeq,
        lastSubSeq: s.lastSubSeq,
        added: s.added,
        endStatus: s.endStatus,
      }));
    await this.repository.updateSessions(manager, progress);
    for (const append of committed) {
      append.endedSessionIds = progress.filter((p) => p.endStatus && append.sessionIds.includes(p.id)).map((p) => p.id);
    }
    return { outcomes, committed };
  }

  /** Gives stored events their workspace stream positions, in the order they were decided. */
  private async assignStreamPositions(
    manager: EntityManager,
    rows: EventRow[],
    pendingStream: PendingPosition[],
  ): Promise<CommittedAppend[]> {
    if (rows.length === 0) return [];
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.workspaceId, (counts.get(row.workspaceId) ?? 0) + 1);
    const heads = await this.repository.advanceStreams(manager, counts);
    const next = new Map<string, number>([...heads].map(([ws, head]) => [ws, head - (counts.get(ws) ?? 0)]));
    for (const { row, outcome, key } of pendingStream) {
      const position = (next.get(row.workspaceId) ?? 0) + 1;
      next.set(row.workspaceId, position);
      row.streamSeq = position;
      outcome.streamSeq = position;
      key.stream_seq = String(position);
    }
    return [...heads].map(([workspaceId, head]) => ({
      workspaceId,
      head,
      sessionIds: [...new Set(rows.filter((r) => r.workspaceId === workspaceId).map((r) => r.sessionId))],
      endedSessionIds: [],
    }));
  }
}
