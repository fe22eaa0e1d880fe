import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from 'src/modules/auth/principal';
import { RunEventsAppender, SessionEventBatches } from './run-events.appender';
import { feedbackSessionEvent } from './run-events';
import { FeedbackFilter, FeedbackRow, NewFeedback, RunFeedbackRepository } from './run-feedback.repository';
import { RunsRepository } from './runs.repository';
import type { RunIngestError } from './runs.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY_LENGTH = 200;
/** Fields of a LangSmith feedback kept in their own columns; any other field goes to `extra`. */
const KNOWN = new Set([
  'id',
  'run_id',
  'trace_id',
  'key',
  'score',
  'value',
  'comment',
  'correction',
  'feedback_source',
]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

type Checked = { ok: true; feedback: NewFeedback } | { ok: false; id: string | null; reason: string };

/** Validates one LangSmith feedback (`POST /feedback` body, multipart `feedback.<id>` part). */
export function checkFeedback(raw: unknown): Checked {
  if (!isObject(raw)) return { ok: false, id: null, reason: 'feedback must be a JSON object' };
  const id = raw.id ?? randomUUID();
  const fail = (reason: string): Checked => ({ ok: false, id: typeof id === 'string' ? id : null, reason });
  if (typeof id !== 'string' || !UUID.test(id)) return fail('id must be a UUID');
  if (typeof raw.run_id !== 'string' || !UUID.test(raw.run_id)) {
    return fail('run_id must be a UUID (feedback on a whole project is not supported)');
  }
  const present = (value: unknown) => value !== null && value !== undefined;
  if (present(raw.trace_id) && (typeof raw.trace_id !== 'string' || !UUID.test(raw.trace_id))) {
    return fail('trace_id must be a UUID');
  }
  if (typeof raw.key !== 'string' || raw.key.length === 0 || raw.key.length > KEY_LENGTH) {
    return fail(`key must be a string of 1 to ${KEY_LENGTH} characters`);
  }
  let score: number | null = null;
  if (typeof raw.score === 'boolean') score = raw.score ? 1 : 0;
  else if (typeof raw.score === 'number' && Number.isFinite(raw.score)) score = raw.score;
  else if (present(raw.score)) return fail('score must be a number or a boolean');
  if (present(raw.comment) && typeof raw.comment !== 'string') return fail('comment must be a string');
  if (present(raw.feedback_source) && !isObject(raw.feedback_source)) return fail('feedback_source must be an object');
  const extra = Object.fromEntries(Object.entries(raw).filter(([k, v]) => !KNOWN.has(k) && v !== undefined));
  return {
    ok: true,
    feedback: {
      id: id.toLowerCase(),
      runId: raw.run_id.toLowerCase(),
      traceId: typeof raw.trace_id === 'string' ? raw.trace_id.toLowerCase() : null,
      projectId: null,
      sessionId: null,
      key: raw.key,
      score,
      value: raw.value ?? null,
      comment: typeof raw.comment === 'string' ? raw.comment : null,
      correction: raw.correction ?? null,
      feedbackSource: isObject(raw.feedback_source) ? raw.feedback_source : null,
      extra: Object.keys(extra).length > 0 ? extra : null,
    },
  };
}

/**
 * LangSmith feedback: stored, and appended as a `feedback` event to the run's session. Feedback
 * on a run not stored yet is kept and attached when the run arrives (RunsIngestService does it).
 */
@Injectable()
export class RunFeedbackService {
  private readonly logger = new Logger(RunFeedbackService.name);

  constructor(
    private readonly repository: RunFeedbackRepository,
    private readonly runs: RunsRepository,
    private readonly appender: RunEventsAppender,
  ) {}

  async create(principal: Principal, raws: unknown[]): Promise<{ feedback: FeedbackRow[]; errors: RunIngestError[] }> {
    const errors: RunIngestError[] = [];
    const valid = new Map<string, NewFeedback>();
    for (const raw of raws) {
      const checked = checkFeedback(raw);
      if (checked.ok) valid.set(checked.feedback.id, checked.feedback);
      else
        errors.push({
          run_id: null,
          code: 'invalid',
          reason: `feedback ${checked.id ?? ''} refused: ${checked.reason}`,
        });
    }
    if (valid.size === 0) return { feedback: [], errors };

    const stored = new Map((await this.runs.findRuns([...valid.values()].map((f) => f.runId))).map((r) => [r.id, r]));
    const rows: NewFeedback[] = [];
    for (const f of valid.values()) {
      const run = stored.get(f.runId);
      if (run && run.workspace_id !== principal.workspaceId) {
        errors.push({
          run_id: f.runId,
          code: 'not_found',
          reason: `feedback ${f.id} refused: run ${f.runId} was not found`,
        });
      } else if (run && principal.projectId && run.project_id !== principal.projectId) {
        errors.push({
          run_id: f.runId,
          code: 'forbidden',
          reason: `feedback ${f.id} refused: run ${f.runId} is in project ${run.project_id}, and this API key is pinned to project ${principal.projectId}`,
        });
      } else {
        // The session of a run is its trace.
        rows.push(run ? { ...f, projectId: run.project_id, sessionId: run.trace_id, traceId: run.trace_id } : f);
      }
    }
    if (rows.length === 0) return { feedback: [], errors };

    const saved = await this.repository.insert(principal.workspaceId, principal.projectId, rows);
    const ours: FeedbackRow[] = [];
    for (const row of saved) {
      if (row.workspace_id === principal.workspaceId) ours.push(row);
      else errors.push({ run_id: row.run_id, code: 'conflict', reason: `feedback id ${row.id} is already used` });
    }
    let waiting = ours.filter((f) => f.session_id === null);
    if (waiting.length > 0) {
      // The run may have been stored meanwhile without seeing this feedback: attach after the write.
      const attached = await this.runs.transaction((m) =>
        this.repository.attachPending(
          m,
          principal.workspaceId,
          waiting.map((f) => f.run_id),
        ),
      );
      const byId = new Map(attached.map((f) => [f.id, f]));
      for (let i = 0; i < ours.length; i++) ours[i] = byId.get(ours[i].id) ?? ours[i];
      waiting = ours.filter((f) => f.session_id === null);
    }
    const batches = new SessionEventBatches();
    for (const f of ours) {
      if (f.session_id) {
        batches.add({ sessionId: f.session_id, workspaceId: f.workspace_id, projectId: f.project_id! }, [
          feedbackSessionEvent(f),
        ]);
      }
    }
    errors.push(...(await this.appender.append(batches.bySession)));
    for (const f of waiting) {
      this.logger.log({ feedbackId: f.id, runId: f.run_id }, 'feedback kept until its run arrives');
      errors.push({
        run_id: f.run_id,
        code: 'pending',
        reason: `run ${f.run_id} not found yet; the feedback is kept and added to the run's session when the run arrives`,
      });
    }
    return { feedback: ours, errors };
  }

  get(principal: Principal, id: string): Promise<FeedbackRow | null> {
    return this.repository.get(principal.workspaceId, id);
  }

  list(principal: Principal, filter: FeedbackFilter, limit: number, offset: number): Promise<FeedbackRow[]> {
    return this.repository.list(principal.workspaceId, filter, limit, offset);
  }
}
