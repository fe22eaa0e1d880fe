import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface LockedSession {
  id: string;
  workspace_id: string;
  last_seq: string;
  last_sub_seq: number;
  status: string;
}

/** A stored event found by idempotency key or seq, with what is needed to compare content. */
export interface StoredEvent {
  session_id: string;
  seq: string;
  sub_seq: number;
  idempotency_key: string;
  stream_seq: string;
  type: string;
  client_ts: Date | null;
  payload: unknown;
}

export interface NewEventRow {
  sessionId: string;
  seq: number;
  subSeq: number;
  workspaceId: string;
  projectId: string;
  idempotencyKey: string;
  type: string;
  origin: string;
  clientTs: string | null;
  payloadJson: string;
}

/** A workspace's stream head after an insert, with how many of its events were stored. */
export interface WorkspaceHead {
  workspace_id: string;
  head: string;
  count: number;
  inserted: number;
}

export interface SessionProgress {
  id: string;
  lastSeq: number;
  lastSubSeq: number;
  added: number;
  endStatus: string | null;
}

const STORED_COLUMNS = 'session_id, seq, sub_seq, idempotency_key, stream_seq, type, client_ts, payload';

/**
 * The SQL of the append path: set-based statements, so a flush of any number of events costs
 * the same few round trips. Every method runs in the flush transaction.
 */
@Injectable()
export class IngestRepository {
  /** Locks the sessions in id order (a fixed order: concurrent flushes cannot deadlock). */
  lockSessions(manager: EntityManager, ids: string[]): Promise<LockedSession[]> {
    return manager.query(
      `SELECT id, workspace_id, last_seq, last_sub_seq, status FROM sessions WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
  }

  /**
   * Stored events that share an idempotency key, or a client seq, with given events: one index
   * probe per pair (LATERAL … LIMIT 1 keeps the planner from hashing the table). Only events that
   * may collide are probed; most appends probe nothing.
   */
  findExisting(
    manager: EntityManager,
    keys: { sessionId: string; key: string }[],
    seqs: { sessionId: string; seq: number }[],
  ): Promise<StoredEvent[]> {
    if (keys.length === 0 && seqs.length === 0) return Promise.resolve([]);
    return manager.query(
      `SELECT e.* FROM unnest($1::uuid[], $2::text[]) AS i(session_id, idempotency_key)
       CROSS JOIN LATERAL (SELECT ${STORED_COLUMNS} FROM events
                            WHERE session_id = i.session_id AND idempotency_key = i.idempotency_key LIMIT 1) e
       UNION ALL
       SELECT e.* FROM unnest($3::uuid[], $4::bigint[]) AS i(session_id, seq)
       CROSS JOIN LATERAL (SELECT ${STORED_COLUMNS} FROM events
                            WHERE session_id = i.session_id AND seq = i.seq AND sub_seq = 0 LIMIT 1) e`,
      [keys.map((k) => k.sessionId), keys.map((k) => k.key), seqs.map((s) => s.sessionId), seqs.map((s) => s.seq)],
    );
  }

  /**
   * Inserts the events and gives them workspace stream positions in one statement: the head of
   * each workspace is advanced by its count (its row lock, held until commit, orders positions
   * by commit), and each event takes the next position in input order, so the caller can tell
   * every event's position from the head alone. A row colliding with a stored one (a retry sent
   * under another seq) is skipped; its position stays unused, which stream readers do not
   * notice, and the answer's `inserted` count tells the caller to look.
   */
  insertEvents(manager: EntityManager, rows: NewEventRow[]): Promise<WorkspaceHead[]> {
    if (rows.length === 0) return Promise.resolve([]);
    // One JSON document for the whole batch: payloads are spliced in as the JSON they already are,
    // so nothing is escaped twice (as text[] array literals would need), and PostgreSQL parses each
    // payload once, into the jsonb column.
    const document = `[${rows
      .map(
        (r) =>
          `{"s":"${r.sessionId}","q":${r.seq},"u":${r.subSeq},"w":"${r.workspaceId}","p":"${r.projectId}",` +
          `"k":${JSON.stringify(r.idempotencyKey)},"t":${JSON.stringify(r.type)},"o":"${r.origin}",` +
          `"c":${r.clientTs === null ? 'null' : JSON.stringify(r.clientTs)},"d":${r.payloadJson}}`,
      )
      .join(',')}]`;
    return manager.query(
      `WITH input AS (
         SELECT * FROM ROWS FROM (json_to_recordset($1::json)
           AS (s uuid, q bigint, u int, w uuid, p uuid, k text, t text, o text, c timestamptz, d jsonb))
           WITH ORDINALITY AS x(s, q, u, w, p, k, t, o, c, d, ord)
       ),
       counts AS (SELECT w, count(*) AS n FROM input GROUP BY w),
       heads AS (
         INSERT INTO workspace_streams (workspace_id, head) SELECT w, n FROM counts ORDER BY w
         ON CONFLICT (workspace_id) DO UPDATE SET head = workspace_streams.head + EXCLUDED.head
         RETURNING workspace_id, head
       ),
       inserted AS (
         INSERT INTO events (session_id, seq, sub_seq, workspace_id, project_id, stream_seq, idempotency_key, type,
                             origin, client_ts, payload)
         SELECT i.s, i.q, i.u, i.w, i.p, h.head - c.n + row_number() OVER (PARTITION BY i.w ORDER BY i.ord),
                i.k, i.t, i.o, i.c, i.d
           FROM input i JOIN counts c ON c.w = i.w JOIN heads h ON h.workspace_id = i.w
         ON CONFLICT DO NOTHING
         RETURNING workspace_id
       )
       SELECT h.workspace_id, h.head::bigint AS head, c.n::int AS count,
              (SELECT count(*) FROM inserted WHERE inserted.workspace_id = h.workspace_id)::int AS inserted
         FROM heads h JOIN counts c ON c.w = h.workspace_id`,
      [document],
    );
  }

  /** Which of the given (session, key, position) triples are stored at that position. */
  async storedAt(
    manager: EntityManager,
    rows: { sessionId: string; key: string; streamSeq: number }[],
  ): Promise<Set<string>> {
    const found: { session_id: string; idempotency_key: string }[] = await manager.query(
      `SELECT e.session_id, e.idempotency_key FROM unnest($1::uuid[], $2::text[], $3::bigint[]) AS i(s, k, p)
         JOIN events e ON e.session_id = i.s AND e.idempotency_key = i.k AND e.stream_seq = i.p`,
      [rows.map((r) => r.sessionId), rows.map((r) => r.key), rows.map((r) => r.streamSeq)],
    );
    return new Set(found.map((f) => `${f.session_id}|${f.idempotency_key}`));
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
