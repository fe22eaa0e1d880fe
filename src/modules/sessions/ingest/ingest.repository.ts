import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager, QueryFailedError } from 'typeorm';
import { namedQuery } from 'src/common/database/named-query';
import { bareArrayLiteral, textArrayLiteral } from 'src/common/database/pg-array-literal';
import { int4Array, int8Array, textArray } from 'src/common/database/pg-binary-array';
import type { AllConfig } from 'src/config/configuration';

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

const STORED_COLUMNS = 'session_id, seq, sub_seq, idempotency_key, stream_seq, type, client_ts, payload';

/**
 * The SQL of the append path: set-based statements, so a flush of any number of events costs
 * the same few round trips. Every method runs in the flush transaction.
 */
@Injectable()
export class IngestRepository {
  private readonly prepared: boolean;

  constructor(config: ConfigService<AllConfig, true>) {
    this.prepared = config.getOrThrow('database', { infer: true }).preparedStatements;
  }

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
   * Inserts the events, gives them workspace stream positions and moves their sessions' high-water
   * marks and counters (a session.end event also sets status and end time), all in one statement,
   * from what was actually inserted: one round trip while the workspace head is locked. The head of
   * each workspace is advanced by its count (its row lock, held until commit, orders positions
   * by commit), and each event takes the next position in input order, so the caller can tell
   * every event's position from the head alone.
   *
   * Only the idempotency key can collide: the caller numbers events above the session's
   * high-water mark under the session row lock, and positions come from the head row lock. With
   * `collisions: 'skip'` that index alone is the conflict arbiter (PostgreSQL then probes one
   * unique index per row, not three). A row it skips (a retry sent under another seq) leaves its
   * position unused, which stream readers do not notice, and the answer's `inserted` count tells
   * the caller to look. With `collisions: 'fail'` there is no arbiter: such a row fails the whole
   * statement with a unique violation instead (see `isUniqueViolation`), and the insert is spared
   * the probe that ON CONFLICT makes before every row, about a tenth of its cost.
   *
   * The statement first locks the sessions (in id order, as `lockSessions` does) and writes
   * nothing, returning no head, unless each still holds the marks and status in `expected`: under a
   * lock already taken that is always so, and a caller that read them earlier (`KnownSessions`) can
   * run this alone, outside a transaction, and learn whether its decisions still hold.
   *
   * Per-event columns travel as binary arrays and payloads as lines of one text, each parsed once
   * into jsonb: per event this costs PostgreSQL about a third of what a JSON document of records
   * did, and Node.js no escaping at all. Per-session columns, a handful of values, stay literals.
   */
  async insertEvents(
    manager: EntityManager,
    rows: NewEventRow[],
    expected: Map<string, LockedSession>,
    collisions: 'skip' | 'fail',
  ): Promise<WorkspaceHead[]> {
    if (rows.length === 0) return [];
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.workspaceId, (counts.get(row.workspaceId) ?? 0) + 1);
    // Session-level columns go once per session; each row names its session by index (1-based).
    const sessionIndex = new Map<string, number>();
    const sessions: NewEventRow[] = [];
    const taken = new Map<string, number>();
    const index: number[] = [];
    const fromHead: number[] = [];
    for (const row of rows) {
      let at = sessionIndex.get(row.sessionId);
      if (at === undefined) {
        sessions.push(row);
        at = sessions.length;
        sessionIndex.set(row.sessionId, at);
      }
      index.push(at);
      // The n-th of the workspace's c rows takes position head - c + n: its offset from the new head.
      const position = (taken.get(row.workspaceId) ?? 0) + 1;
      taken.set(row.workspaceId, position);
      fromHead.push(position - counts.get(row.workspaceId)!);
    }
    const marks = sessions.map((r) => expected.get(r.sessionId));
    if (marks.some((m) => !m)) throw new Error('every session of an insert must come with its expected marks');
    const heads = await this.query<Omit<WorkspaceHead, 'count'>>(
      manager,
      `flightdeck_ingest_insert_${collisions}`,
      `WITH verified AS (
         SELECT count(*) = cardinality($3::uuid[]) AS ok
           FROM (SELECT s.id FROM sessions s
                   JOIN unnest($3::uuid[], $15::bigint[], $16::int[], $17::text[]) AS v(id, q, u, st) ON s.id = v.id
                  WHERE s.last_seq = v.q AND s.last_sub_seq = v.u AND s.status = v.st
                  ORDER BY s.id FOR UPDATE OF s) AS unchanged
       ),
       heads AS (
         INSERT INTO workspace_streams (workspace_id, head)
         SELECT * FROM unnest($1::uuid[], $2::bigint[]) WHERE (SELECT ok FROM verified) ORDER BY 1
         ON CONFLICT (workspace_id) DO UPDATE SET head = workspace_streams.head + EXCLUDED.head
         RETURNING workspace_id, head
       ),
       inserted AS (
         INSERT INTO events (session_id, seq, sub_seq, workspace_id, project_id, stream_seq, idempotency_key, type,
                             origin, client_ts, payload)
         SELECT ($3::uuid[])[x.i], x.q, x.u, h.workspace_id, ($4::uuid[])[x.i], h.head + x.n, x.k, x.t, x.o,
                x.c::timestamptz, x.d::jsonb
           FROM ROWS FROM (
                  unnest($5::int[], $6::bigint[], $7::int[], $8::int[], $9::text[], $10::text[], $11::text[],
                         $12::text[]),
                  string_to_table($13::text, E'\\n')
                ) AS x(i, q, u, n, k, t, o, c, d)
           JOIN heads h ON h.workspace_id = ($14::uuid[])[x.i]
         ${collisions === 'skip' ? 'ON CONFLICT (session_id, idempotency_key) DO NOTHING' : ''}
         RETURNING workspace_id, session_id, seq, sub_seq,
                   CASE WHEN type = 'session.end' THEN payload->>'status' END AS end_status
       ),
       progress AS (
         SELECT session_id, max(ARRAY[seq, sub_seq]) AS top, count(*) AS added,
                (array_agg(end_status ORDER BY seq DESC, sub_seq DESC) FILTER (WHERE end_status IS NOT NULL))[1]
                  AS end_status
           FROM inserted GROUP BY session_id
       ),
       moved AS (
         UPDATE sessions s
            SET last_seq = (GREATEST(ARRAY[s.last_seq, s.last_sub_seq], p.top))[1],
                last_sub_seq = (GREATEST(ARRAY[s.last_seq, s.last_sub_seq], p.top))[2],
                event_count = s.event_count + p.added, last_event_at = now(), updated_at = now(),
                status = COALESCE(p.end_status, s.status),
                ended_at = CASE WHEN p.end_status IS NOT NULL THEN now() ELSE s.ended_at END
           FROM progress p
          WHERE s.id = p.session_id
       )
       SELECT h.workspace_id, h.head::bigint AS head,
              (SELECT count(*) FROM inserted WHERE inserted.workspace_id = h.workspace_id)::int AS inserted
         FROM heads h`,
      [
        [...counts.keys()],
        [...counts.values()],
        bareArrayLiteral(sessions.map((r) => r.sessionId)),
        bareArrayLiteral(sessions.map((r) => r.projectId)),
        int4Array(index, (at) => at),
        int8Array(rows, (r) => r.seq),
        int4Array(rows, (r) => r.subSeq),
        int4Array(fromHead, (offset) => offset),
        textArray(rows, (r) => r.idempotencyKey),
        textArray(rows, (r) => r.type),
        textArray(rows, (r) => r.origin),
        textArray(rows, (r) => r.clientTs),
        payloadLines(rows),
        bareArrayLiteral(sessions.map((r) => r.workspaceId)),
        bareArrayLiteral(marks.map((m) => m!.last_seq)),
        bareArrayLiteral(marks.map((m) => m!.last_sub_seq)),
        textArrayLiteral(marks.map((m) => m!.status)),
      ],
    );
    return heads.map((h) => ({
      workspace_id: h.workspace_id,
      head: h.head,
      inserted: h.inserted,
      count: counts.get(h.workspace_id)!,
    }));
  }

  /** The statement as the named prepared statement `name` (DATABASE_PREPARED_STATEMENTS), or as a plain query. */
  private query<T>(manager: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
    return this.prepared ? namedQuery<T>(manager, name, text, values) : manager.query(text, values);
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
}

/** Whether a statement failed on a unique index: an insert with `collisions: 'fail'` met a stored key. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';
}

/**
 * The payloads as one text, a line each, in UTF-8 bytes: node-postgres sends a Buffer as-is, in
 * binary format, which for a `text` parameter is exactly those bytes. A joined string of a large
 * flush would be a V8 large object, born in the old generation, and pull major collections
 * forward; the Buffer lives outside the heap and goes with the next scavenge. Serialized JSON
 * never holds a raw line feed (JSON escapes it inside strings and needs none between tokens), so
 * the server splits the lines back without any unescaping. Anything else is refused before a
 * wrong split could store it.
 */
function payloadLines(rows: NewEventRow[]): Buffer {
  let bytes = rows.length - 1;
  for (const row of rows) {
    if (row.payloadJson.includes('\n')) throw new Error('a payload holds a raw line feed: it is not serialized JSON');
    bytes += Buffer.byteLength(row.payloadJson);
  }
  const lines = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (let i = 0; i < rows.length; i++) {
    if (i > 0) lines[offset++] = LINE_FEED;
    offset += lines.write(rows[i].payloadJson, offset);
  }
  return lines;
}

const LINE_FEED = 0x0a;
