import type { SessionView } from './session-view';
import type { DetectorContext, Finding } from './types';

/** One detector: a pure function of the session view and the context. Documented in docs/detectors.md. */
export interface Detector {
  readonly id: string;
  /** Every label it can give. */
  readonly labels: readonly string[];
  detect(view: SessionView, context: DetectorContext): Finding[];
}

/**
 * Whether the session sat idle long enough to count as abandoned. The caller measures the idle
 * time; the detectors only compare it, so the digest (which records this flag) covers it.
 */
export function isStale(context: DetectorContext): boolean {
  return context.session.idleMs !== null && context.session.idleMs >= context.thresholds.abandonAfterMs;
}

/** The session is over: a session.end is in the log, or the record says it ended. */
export function isEnded(view: SessionView, context: DetectorContext): boolean {
  return view.end !== null || context.session.ended;
}

/** The session failed: its end event, else its record, says so. */
export function isFailed(view: SessionView, context: DetectorContext): boolean {
  return (view.end?.status ?? context.session.status) === 'failed';
}
