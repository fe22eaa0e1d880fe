/**
 * What `GET /api/v1/info` advertises (read by the LangSmith SDKs before their first batch).
 * Only what is implemented: multipart ingestion, gzip request bodies (not zstd).
 */
export const LANGSMITH_BATCH_DEFAULTS = {
  /** Operations per batch (the JS SDK's own default). */
  sizeLimit: 100,
  /** The Python SDK's thread-pool tuning; all three must be present or its tracing thread dies. */
  scaleUpQsizeTrigger: 1000,
  scaleUpNthreadsLimit: 16,
  scaleDownNemptyTrigger: 4,
} as const;

/**
 * A gzip multipart body may inflate to this many times the advertised limit (the SDK counts its
 * batch limit before compression and closes a batch only once past it, so the last run spills
 * over). Bounds memory against a gzip bomb.
 */
export const MULTIPART_INFLATE_FACTOR = 2;

/** Parts of one multipart request at most (runs have up to 7 parts each). */
export const MULTIPART_MAX_PARTS = 20_000;

/** Feedback list page size. */
export const FEEDBACK_PAGE = { default: 100, max: 1000 } as const;
