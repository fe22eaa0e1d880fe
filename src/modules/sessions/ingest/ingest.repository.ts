import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface LockedSession {
  id: string;
  workspace_id: string;
  last_seq: string;
  last_sub_seq: number;
}

export interface StoredEventKey {
  session_id: string;
  seq: string;
  sub_seq: number;
  idempotency_key: string;
  content_hash: string;
  stream_seq: string;
}

export interface EventRow {
  sessionId: string;
  seq: number;
  subSeq: number;
  workspaceId: string;
  projectId: string;
  streamSeq: number;
  idempotencyKey: string;
  type: string;
  origin: string;
  clientTs: string | null;
  payloadJson: string;
  contentHash: string;
}

export interface SessionProgress {
  id: string;
  lastSeq: number;
  lastSubSeq: number;
  added: number;
  endStatus: string | null;
}

/**
 * The SQL of the append path: set-based statements (unnest of arrays), so a flush of any number
 * of events costs the same handful of round trips. Every method runs in the flush transaction.
 */
@Injectable()
export class IngestRepository {
  /** Locks the sessions in id order (a fixed order: concurrent flushes cannot deadlock). */
  lockSessions(manager: EntityManager, ids: string[]): Promise<LockedSession[]> {
    return manager.query(
      `SELECT id, workspace_id, last_seq, last_sub_seq FROM sessions WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
  }

  /** Stored events that share an idempotency key, or a client seq, with the incoming ones. */
  findExisting(
    manager: EntityManager,
    sessionIds: string[],
    keys: string[],
    seqs: number[],
  ): Promise<StoredEventKey[]> {
    return manager.query(
      `SELECT session_id, seq, sub_seq, idempotency_key, content_hash, stream_seq FROM events
        WHERE session_id = ANY($1::uuid[])
          AND (idempotency_key = ANY($2::text[]) OR (sub_seq = 0 AND seq = ANY($3::bigint[])))`,
      [sessionIds, keys, seqs],
    );
  }

  /**
   * Advances the stream head of each workspace by its count and returns the new heads. The row
   * locks taken here are held until commit, which is what makes positions commit in order.
   */
  async advanceStreams(manager: EntityManager, counts: Map<string, number>): Promise<Map<string, number>> {
    const ids = [...counts.keys()].sort();
    const rows: { workspace_id: string; head: string }[] = await manager.query(
      `INSERT INTO workspace_streams (workspace_id, head)
       SELECT * FROM unnest($1::uuid[], $2::bigint[])
       ON CONFLICT (workspace_id) DO UPDATE SET head = workspace_streams.head + EXCLUDED.head
       RETURNING workspace_id, head`,
      [ids, ids.map((id) => counts.get(id))],
    );
    return new Map(rows.map((r) => [r.workspace_id, Number(r.head)]));
  }

  async insertEvents(manager: EntityManager, rows: EventRow[]): Promise<void> {
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO events (session_id, seq, sub_seq, workspace_id, project_id, stream_seq, idempotency_key, type,
                           origin, client_ts, payload, content_hash)
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::uuid[], $5::uuid[], $6::bigint[], $7::text[],
                            $8::text[], $9::text[], $10::timestamptz[], $11::jsonb[], $12::text[])`,
      [
        rows.map((r) => r.sessionId),
        rows.map((r) => r.seq),
        rows.map((r) => r.subSeq),
        rows.map((r) => r.workspaceId),
        rows.map((r) => r.projectId),
        rows.map((r) => r.streamSeq),
        rows.map((r) => r.idempotencyKey),
        rows.map((r) => r.type),
        rows.map((r) => r.origin),
        rows.map((r) => r.clientTs),
        rows.map((r) => r.payloadJson),
        rows.map((r) => r.contentHash),
      ],
    );
  }

  /** Moves the high-water marks and counters; a session.end event sets status and end time. */
  async updateSessions(manager: EntityManager, progress: SessionProgress[]): Promise<void> {
    if (progress.length === 0) return;
    await manager.query(
      `UPDATE sessions s
          SET last_seq = p.last_seq, last_sub_seq = p.last_sub_seq, event_count = s.event_count + p.added,
              last_event_at = now(), updated_at = now(),
              status = COALESCE(p.end_status, s.status),
              ended_at = CASE WHEN p.end_status IS NOT NULL THEN now() ELSE s.ended_at END
         FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::int[], $5::text[])
              AS p(id, last_seq, last_sub_seq, added, end_status)
        WHERE s.id = p.id`,
      [
        progress.map((p) => p.id),
        progress.map((p) => p.lastSeq),
        progress.map((p) => p.lastSubSeq),
        progress.map((p) => p.added),
        progress.map((p) => p.endStatus),
      ],
    );
  }
}
