/** Limits of one run, checked run by run: a run past them is refused, its batch is not. */
export const RUN_LIMITS = {
  /** The `run.start` event schema caps names at 1000 characters. */
  nameLength: 1000,
  /** Project names are at most 100 characters (a `session_name` may create a project). */
  sessionNameLength: 100,
  tags: 1000,
  tagLength: 1000,
  /** ~17,000 levels of ancestors; deeper trees are still stored, without a dotted order. */
  dottedOrderLength: 1_000_000,
  attachmentNameLength: 200,
} as const;

/** Idempotency keys of the events a run appends to its session. */
export const runEventKey = {
  start: (runId: string) => `run:${runId}:start`,
  end: (runId: string) => `run:${runId}:end`,
  sessionEnd: (runId: string) => `run:${runId}:session.end`,
  feedback: (feedbackId: string) => `feedback:${feedbackId}`,
};

/** The event schema of `session.end` caps its error at 10,000 characters. */
export const SESSION_END_ERROR_LENGTH = 10_000;

/** Patches and feedback waiting for their run are forgotten after this long. */
export const PENDING_RETENTION_DAYS = 7;

/** How long a resolved LangSmith project name stays cached per process. */
export const PROJECT_CACHE_TTL_MS = 30_000;
