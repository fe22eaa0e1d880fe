/**
 * The plain data the detectors work on and produce. Detectors are pure functions of
 * (events, context): no clock, no randomness, no I/O. Whatever they need from the outside world
 * (thresholds, the session's state, the agent's tool policy, the catalog's tools) is passed in
 * the context by the caller. Every detector is documented in docs/detectors.md.
 */

/** One entry of a session log as the detectors see it: its identity, type, origin and content. */
export interface DetectorEvent {
  seq: number;
  /** Position of an operator/system note placed at `seq` (0 for agent events). */
  subSeq: number;
  type: string;
  origin: string;
  /** The client's clock (ISO-8601): data only, used for gaps inside the session, never for order. */
  timestamp: string | null;
  payload: Record<string, unknown>;
}

export interface DetectorThresholds {
  /** Identical tool calls (same tool, same canonical arguments) that make a loop. */
  loopMinRepeats: number;
  /** Agent actions in a row without progress that make a stall. */
  noProgressSteps: number;
  /** Client-clock gap (ms) before an end or a failed result that counts as a timeout. */
  timeoutGapMs: number;
  /** Server-side idle time (ms) after which a session without an end is abandoned. */
  abandonAfterMs: number;
  /** Failed attempts of one tool in a row (or an `attempt` number) that exhaust the retries. */
  maxRetries: number;
  /** Tokens of all model results of one session above which usage is runaway. */
  maxTokens: number;
  /** Cost (USD) of all model results of one session above which usage is runaway. */
  maxCostUsd: number;
  /** Findings below this confidence are reported but form no incident. */
  incidentMinConfidence: number;
}

export interface DetectorContext {
  thresholds: DetectorThresholds;
  /** The session record's state, read by the caller (the event log alone cannot say it). */
  session: {
    /** The session has ended (a session.end was stored, or its status says so). */
    ended: boolean;
    status: string;
    /** Server time since the last stored event, measured by the caller; null when unknown. */
    idleMs: number | null;
  };
  agent: {
    /**
     * Tools the agent's policy allows (exact names, `*` matches any run of characters); null when
     * the agent has no known policy, and then the policy check says nothing.
     */
    toolPolicy: string[] | null;
  };
  catalog: {
    /** Tools the session's suite/catalog offers; null when unknown (no check). */
    toolNames: string[] | null;
    /** Input JSON Schema of each catalog tool, by tool name. */
    toolSchemas: Record<string, Record<string, unknown>>;
  };
}

export interface Finding {
  /** The detector's id (stable; part of the incident fingerprint). */
  detector: string;
  /** What went wrong (one of the detector's labels). */
  label: string;
  /** In [0, 1], rounded to three decimals. */
  confidence: number;
  /** The seqs of the events involved, ascending. */
  evidence: number[];
  /** The seq where the failure became inevitable. */
  criticalStep: number;
  /** Normalised description of the failure (no numbers, ids or quoted values): with the detector, its fingerprint. */
  signature: string;
  /** A human sentence about this finding. */
  summary: string;
}

export interface DetectorResult {
  findings: Finding[];
  /** Sorted distinct labels of the findings. */
  labels: string[];
  /** The earliest critical step among findings that reach `incidentMinConfidence`; null when none does. */
  criticalStep: number | null;
  /** sha256 (hex) of the detector version, the context and the ordered events. */
  digest: string;
  /** Version of the detector code and a short hash of the context it ran with. */
  configVersion: string;
  /** Events analysed. */
  eventCount: number;
}
