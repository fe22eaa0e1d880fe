import type { EventInput } from 'src/modules/sessions/ingest/ingest.types';
import { timeMicros } from './run-input.normalizer';
import { runEventKey, SESSION_END_ERROR_LENGTH } from './runs.constants';
import type { RunEventInput, RunStatus } from './runs.types';

/** What the session events of a run are made of (stored values, times normalized). */
export interface RunEventSource {
  id: string;
  traceId: string;
  parentRunId: string | null;
  name: string;
  runType: string;
  status: RunStatus;
  startTime: string;
  endTime: string | null;
  inputs?: Record<string, unknown> | null;
  outputs?: Record<string, unknown> | null;
  error?: string | null;
  tags?: string[] | null;
  metadata?: unknown;
}

/** An event for a session, with the run it is about (to report a refusal under that run). */
export interface SessionEvent {
  runId: string;
  event: EventInput;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * Token use of an LLM run, when its outputs say (LangChain `usage_metadata`, OpenAI-style
 * `llm_output.token_usage`, or `usage`), in the event schema's names.
 */
export function usageOf(outputs: Record<string, unknown> | null | undefined): Record<string, number> | undefined {
  if (!outputs) return undefined;
  const llmOutput = isObject(outputs.llm_output) ? outputs.llm_output : undefined;
  const candidates = [outputs.usage_metadata, llmOutput?.token_usage, outputs.usage];
  for (const candidate of candidates) {
    if (!isObject(candidate)) continue;
    const input = candidate.input_tokens ?? candidate.prompt_tokens;
    const output = candidate.output_tokens ?? candidate.completion_tokens;
    const total = candidate.total_tokens;
    const usage: Record<string, number> = {};
    if (isCount(input)) usage.input_tokens = input;
    if (isCount(output)) usage.output_tokens = output;
    if (isCount(total)) usage.total_tokens = total;
    if (Object.keys(usage).length > 0) return usage;
  }
  return undefined;
}

const durationMs = (start: string, end: string) => Math.max(0, (timeMicros(end) - timeMicros(start)) / 1000);

/**
 * The session events of one run, in order: `run.start` (when `start` is set), the run's typed
 * events, then `run.end` once it has ended, and `session.end` when the ended run is the root.
 * Keys are stable, so a re-sent run stores nothing twice.
 */
export function runSessionEvents(
  run: RunEventSource,
  options: { start: boolean; extra?: RunEventInput[] },
): SessionEvent[] {
  const events: EventInput[] = [];
  if (options.start) {
    events.push({
      idempotency_key: runEventKey.start(run.id),
      type: 'run.start',
      timestamp: run.startTime,
      payload: {
        run_id: run.id,
        parent_run_id: run.parentRunId,
        trace_id: run.traceId,
        name: run.name,
        run_type: run.runType,
        start_time: run.startTime,
        ...(run.inputs ? { inputs: run.inputs } : {}),
        ...(run.tags && run.tags.length > 0 ? { tags: run.tags } : {}),
        ...(isObject(run.metadata) ? { metadata: run.metadata } : {}),
      },
    });
  }
  for (const extra of options.extra ?? []) {
    events.push({
      idempotency_key: extra.key,
      type: extra.type,
      timestamp: extra.timestamp ?? run.startTime,
      payload: extra.payload,
    });
  }
  if (run.endTime && run.status !== 'running') {
    const usage = run.runType === 'llm' ? usageOf(run.outputs) : undefined;
    events.push({
      idempotency_key: runEventKey.end(run.id),
      type: 'run.end',
      timestamp: run.endTime,
      payload: {
        run_id: run.id,
        run_type: run.runType,
        name: run.name,
        status: run.status,
        end_time: run.endTime,
        duration_ms: durationMs(run.startTime, run.endTime),
        ...(run.outputs ? { outputs: run.outputs } : {}),
        ...(typeof run.error === 'string' ? { error: run.error } : {}),
        ...(usage ? { usage } : {}),
      },
    });
    if (run.parentRunId === null) {
      events.push({
        idempotency_key: runEventKey.sessionEnd(run.id),
        type: 'session.end',
        timestamp: run.endTime,
        payload: {
          status: run.status,
          ...(run.outputs ? { output: run.outputs } : {}),
          ...(typeof run.error === 'string' ? { error: run.error.slice(0, SESSION_END_ERROR_LENGTH) } : {}),
        },
      });
    }
  }
  return events.map((event) => ({ runId: run.id, event }));
}

/** Orders a session's events by the time they happened; events of the same instant keep their order. */
export function chronological(events: SessionEvent[]): SessionEvent[] {
  return events
    .map((e, i) => ({ e, i, t: e.event.timestamp ?? '' }))
    .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.i - b.i))
    .map(({ e }) => e);
}

/** The stored fields of a feedback its session event is made of. */
export interface FeedbackEventSource {
  id: string;
  run_id: string;
  key: string;
  score: number | null;
  value: unknown;
  comment: string | null;
  correction: unknown;
  feedback_source: Record<string, unknown> | null;
  created_at: string;
}

/** The event schema bounds a feedback's score to [-1, 1] and its comment to 20,000 characters. */
const FEEDBACK_COMMENT_LENGTH = 20_000;

/** A LangSmith feedback as a `feedback` event of its run's session (key `feedback:<id>`). */
export function feedbackSessionEvent(feedback: FeedbackEventSource): SessionEvent {
  const inRange = feedback.score !== null && feedback.score >= -1 && feedback.score <= 1;
  const source = feedback.feedback_source?.type;
  return {
    runId: feedback.run_id,
    event: {
      idempotency_key: runEventKey.feedback(feedback.id),
      type: 'feedback',
      timestamp: feedback.created_at,
      payload: {
        key: feedback.key,
        feedback_id: feedback.id,
        run_id: feedback.run_id,
        ...(inRange ? { score: feedback.score } : {}),
        ...(feedback.score !== null && !inRange ? { raw_score: feedback.score } : {}),
        ...(feedback.value !== null && feedback.value !== undefined ? { value: feedback.value } : {}),
        ...(feedback.comment ? { comment: feedback.comment.slice(0, FEEDBACK_COMMENT_LENGTH) } : {}),
        ...(feedback.correction !== null && feedback.correction !== undefined
          ? { correction: feedback.correction }
          : {}),
        ...(typeof source === 'string' ? { source } : {}),
      },
    },
  };
}
