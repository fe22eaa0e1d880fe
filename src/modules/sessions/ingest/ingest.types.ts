import type { EventOrigin } from '../entities/event.entity';

/** An event as a client sends it (already checked against its type's schema). */
export interface EventInput {
  /** Client sequence number; required in `client` mode, assigned by the server otherwise. */
  seq?: number;
  idempotency_key: string;
  type: string;
  /** Client timestamp (ISO-8601): stored as data, never used for order. */
  timestamp?: string | null;
  payload: Record<string, unknown>;
  /** `JSON.stringify(payload)`, when the caller already made it (saves a second pass). */
  payloadJson?: string;
}

/**
 * How seq numbers are decided:
 * - `client`: the agent numbers its events; each must be above the session's high-water mark.
 * - `next`: the server numbers them after the high-water mark (sources without client seqs).
 * - `annotation`: operator or server notes placed after the current high-water mark, at the
 *   same seq with the next sub_seq, so they never take a number the agent will send.
 */
export type AppendMode = 'client' | 'next' | 'annotation';

export interface AppendTarget {
  sessionId: string;
  workspaceId: string;
  projectId: string;
}

export interface AppendRequest {
  target: AppendTarget;
  events: EventInput[];
  mode: AppendMode;
  origin: EventOrigin;
}

export type EventOutcome =
  | { status: 'stored' | 'duplicate'; seq: number; subSeq: number; streamSeq: number }
  | { status: 'rejected'; reason: string; conflict: boolean };

/** Committed appends of one flush, for the live stream and for analysis triggers. */
export interface CommittedAppend {
  workspaceId: string;
  /** Stream head of the workspace after this commit. */
  head: number;
  sessionIds: string[];
  /** Sessions that received a session.end event in this commit. */
  endedSessionIds: string[];
  /** Sessions that had already ended and received events anyway (late events). */
  lateSessionIds: string[];
}
