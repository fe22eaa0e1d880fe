/** The Redis channel that carries the commit notifications of one workspace's stream. */
export const streamChannel = (workspaceId: string): string => `flightdeck:stream:${workspaceId}`;

/** The SSE `event:` name of every trace event; the event's own type is `data.type`. */
export const TRACE_EVENT = 'trace_event';
/** The SSE `event:` name of the last frame of a stream the server ends; resume from `resume_after`. */
export const DROPPED_EVENT = 'dropped';

export type DropReason = 'slow_consumer' | 'server_shutdown';

/** Tuning of the live stream. Positions, not these numbers, give order and exactly-once. */
export const STREAM_LIMITS = {
  /** Rows one read takes at most: bounds the memory of a connection between two drains. */
  pageSize: 100,
  /** Safety net: how often each process re-reads the heads of its workspaces (a lost notification costs at most this). */
  pollIntervalMs: 5_000,
  /** How long a new connection waits for its Redis subscription before reading anyway (the poll covers the rest). */
  subscribeWaitMs: 1_000,
  /** A client that takes no bytes for this many heartbeat periods is dropped as a slow consumer. */
  stallHeartbeats: 2,
  /** Floor of that stall bound. */
  minStallMs: 2_000,
  /** After the final frame of a dropped stream, how long the socket may take to flush it before it is destroyed. */
  closeGraceMs: 10_000,
  /** The `retry:` sent to EventSource clients: reconnect delay after the server ends a stream. */
  reconnectDelayMs: 3_000,
} as const;
