import { createHash } from 'node:crypto';
import { canonicalJson } from 'src/modules/sessions/events/event-content';
import { Detector, isStale } from './detector';
import { abandonedDetector, timeoutDetector, unansweredQuestionDetector } from './lifecycle';
import { noProgressDetector, repeatedToolCallDetector } from './loops';
import { invalidToolArgumentsDetector, toolNotAllowedDetector } from './policy';
import { buildView, sortEvents } from './session-view';
import { contradictedFinalAnswerDetector, retriesExhaustedDetector, toolErrorDetector } from './tool-failures';
import type { DetectorContext, DetectorEvent, DetectorResult, DetectorThresholds, Finding } from './types';
import { runawayUsageDetector } from './usage';

/**
 * Version of the detector code. Raise it whenever a detector's logic changes, so that stored
 * digests (and the results they vouch for) are told apart from the new ones.
 */
export const DETECTOR_VERSION = 'detectors@1';

/** Every detector, in the order they run. Documented one by one in docs/detectors.md. */
export const DETECTORS: readonly Detector[] = [
  toolErrorDetector,
  repeatedToolCallDetector,
  noProgressDetector,
  timeoutDetector,
  abandonedDetector,
  unansweredQuestionDetector,
  toolNotAllowedDetector,
  invalidToolArgumentsDetector,
  retriesExhaustedDetector,
  runawayUsageDetector,
  contradictedFinalAnswerDetector,
];

export const DEFAULT_THRESHOLDS: Readonly<DetectorThresholds> = {
  loopMinRepeats: 3,
  noProgressSteps: 8,
  timeoutGapMs: 300_000,
  abandonAfterMs: 1_800_000,
  maxRetries: 3,
  maxTokens: 200_000,
  maxCostUsd: 5,
  incidentMinConfidence: 0.5,
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Everything besides the events that decides the result, as recorded in the digest. */
function contextRecord(context: DetectorContext) {
  const sorted = (names: string[] | null) => (names ? [...new Set(names)].sort() : null);
  return {
    thresholds: context.thresholds,
    session: { ended: context.session.ended, status: context.session.status, stale: isStale(context) },
    toolPolicy: sorted(context.agent.toolPolicy),
    toolNames: sorted(context.catalog.toolNames),
    toolSchemas: context.catalog.toolSchemas,
  };
}

/**
 * sha256 of what produced a result: `header` (the detector version and context, or a workflow's
 * version) and the events in replay order. Hashed event by event, so a long session is never
 * serialised into one string.
 */
export function inputDigest(orderedEvents: readonly DetectorEvent[], header: unknown): string {
  const hash = createHash('sha256').update(canonicalJson(header));
  for (const e of orderedEvents) {
    hash.update(`\n${canonicalJson([e.seq, e.subSeq, e.type, e.origin, e.timestamp, e.payload])}`);
  }
  return hash.digest('hex');
}

/**
 * One finding per (detector, signature): the most confident (then the earliest), with the
 * evidence of all of them. The critical step is always part of the evidence.
 */
function merge(findings: Finding[]): Finding[] {
  const best = new Map<string, Finding>();
  const evidence = new Map<string, Set<number>>();
  for (const f of findings) {
    const key = `${f.detector}\u0000${f.signature}`;
    const current = best.get(key);
    if (
      !current ||
      f.confidence > current.confidence ||
      (f.confidence === current.confidence && f.criticalStep < current.criticalStep)
    ) {
      best.set(key, f);
    }
    evidence.set(key, new Set([...(evidence.get(key) ?? []), ...f.evidence]));
  }
  return [...best].map(([key, f]) => {
    const seqs = [...(evidence.get(key) ?? [])].sort((a, b) => a - b).slice(0, 50);
    if (!seqs.includes(f.criticalStep)) seqs.push(f.criticalStep);
    return { ...f, evidence: seqs.sort((a, b) => a - b) };
  });
}

const byPosition = (a: Finding, b: Finding) =>
  a.criticalStep - b.criticalStep ||
  (a.detector < b.detector ? -1 : a.detector > b.detector ? 1 : 0) ||
  (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0);

/**
 * Runs every detector over a session. The events are put in replay order (seq, sub_seq) first,
 * so the result depends only on which events there are, never on the order or the batches in
 * which they arrived. The digest covers the detector version, the context and the ordered events.
 */
export function runDetectors(input: readonly DetectorEvent[], context: DetectorContext): DetectorResult {
  const events = sortEvents(input);
  const view = buildView(events);
  const findings = merge(DETECTORS.flatMap((detector) => detector.detect(view, context))).sort(byPosition);
  const significant = findings.filter((f) => f.confidence >= context.thresholds.incidentMinConfidence);
  const record = contextRecord(context);
  return {
    findings,
    labels: [...new Set(findings.map((f) => f.label))].sort(),
    criticalStep: significant.length > 0 ? Math.min(...significant.map((f) => f.criticalStep)) : null,
    digest: inputDigest(events, { version: DETECTOR_VERSION, context: record }),
    configVersion: `${DETECTOR_VERSION}+${sha256(canonicalJson(record)).slice(0, 12)}`,
    eventCount: events.length,
  };
}
