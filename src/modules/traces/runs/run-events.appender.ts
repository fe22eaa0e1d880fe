import { HttpException, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from 'src/config/configuration';
import { EventsService } from 'src/modules/sessions/events.service';
import type { EventInput } from 'src/modules/sessions/ingest/ingest.types';
import { chronological, SessionEvent } from './run-events';
import type { RunIngestError } from './runs.types';

const IDEMPOTENCY_CONFLICT = 'idempotency_key was already used with other content';

/** Where a session lives (what the session log needs to append to it). */
export interface SessionTarget {
  sessionId: string;
  workspaceId: string;
  projectId: string;
}

/** Fields of the run events that may be large, in the order they give way to a size marker. */
const SHRINKABLE = ['inputs', 'outputs', 'output', 'metadata', 'tags', 'error'];
const RUN_EVENT_TYPES = new Set(['run.start', 'run.end', 'session.end']);

/**
 * Appends run events to their sessions' logs: one append per session, all at once, so they join
 * the same group commit. A key already stored with other content means the run was logged by an
 * earlier version of itself (a re-send after an update): that is expected, not an error. Any
 * other refusal is reported under its run.
 *
 * The session log caps an event's size (INGEST_MAX_EVENT_BYTES). A run event past it keeps its
 * place and identity, its largest fields replaced by `{"_truncated": true, "_bytes": n}` (the
 * run itself keeps them all: `GET /api/v1/runs/{id}`); any other event past it is refused.
 */
@Injectable()
export class RunEventsAppender {
  private readonly logger = new Logger(RunEventsAppender.name);

  constructor(
    private readonly events: EventsService,
    private readonly config: ConfigService<AllConfig, true>,
  ) {}

  async append(batches: Map<string, { target: SessionTarget; events: SessionEvent[] }>): Promise<RunIngestError[]> {
    const errors: RunIngestError[] = [];
    await Promise.all(
      [...batches.values()].map(async ({ target, events }) => {
        if (events.length === 0) return;
        const ordered = chronological(events);
        let result;
        try {
          result = await this.appendOnce(target, ordered, errors);
        } catch (error) {
          if (!(error instanceof HttpException)) throw error;
          // The runs are stored: a refused append is reported, never retried forever by the client.
          for (const { runId, event } of ordered) {
            errors.push({ run_id: runId, code: 'invalid', reason: `event ${event.type} refused: ${error.message}` });
          }
          return;
        }
        for (const rejected of result.rejected) {
          if (rejected.reason === IDEMPOTENCY_CONFLICT) continue;
          const { runId, event } = result.sent[rejected.index];
          this.logger.warn({ runId, type: event.type, reason: rejected.reason }, 'run event refused');
          errors.push({ run_id: runId, code: 'invalid', reason: `event ${event.type} refused: ${rejected.reason}` });
        }
      }),
    );
    return errors;
  }

  /**
   * Appends as they are; when the log refuses the request for an event past its size limit
   * (413, before anything is written), appends again with every event fitted to the limit.
   * Measuring only then keeps the common case to one serialization of each payload.
   */
  private async appendOnce(target: SessionTarget, ordered: SessionEvent[], errors: RunIngestError[]) {
    const to = { sessionId: target.sessionId, workspaceId: target.workspaceId, projectId: target.projectId };
    const send = async (sent: SessionEvent[]) => ({
      sent,
      rejected: (
        await this.events.appendFromServer(
          to,
          sent.map((e) => e.event),
          'next',
          'system',
        )
      ).rejected,
    });
    try {
      return await send(ordered);
    } catch (error) {
      if (!(error instanceof HttpException) || error.getStatus() !== Number(HttpStatus.PAYLOAD_TOO_LARGE)) throw error;
    }
    const { maxEventBytes } = this.config.getOrThrow('ingest', { infer: true });
    const fitted: SessionEvent[] = [];
    for (const e of ordered) {
      const event = fit(e.event, maxEventBytes);
      if (event) fitted.push({ runId: e.runId, event });
      else {
        errors.push({
          run_id: e.runId,
          code: 'invalid',
          reason: `event ${e.event.type} refused: it exceeds the session log's limit of ${maxEventBytes} bytes`,
        });
      }
    }
    return fitted.length > 0 ? send(fitted) : { sent: fitted, rejected: [] };
  }
}

const fits = (json: string, event: EventInput, max: number) =>
  json.length + event.idempotency_key.length + event.type.length <= max && Buffer.byteLength(json) <= max;

/** The event within the session log's size limit (run events shrunk), or null when it cannot be. */
export function fit(event: EventInput, maxBytes: number): EventInput | null {
  let json = JSON.stringify(event.payload);
  if (fits(json, event, maxBytes)) return { ...event, payloadJson: json };
  if (!RUN_EVENT_TYPES.has(event.type)) return null;
  const payload: Record<string, unknown> = { ...event.payload };
  for (const field of SHRINKABLE) {
    const value = payload[field];
    if (value === undefined) continue;
    if (field === 'tags') delete payload.tags;
    else if (field === 'error' && typeof value === 'string') payload.error = `${value.slice(0, 1000)}… (truncated)`;
    else payload[field] = { _truncated: true, _bytes: Buffer.byteLength(JSON.stringify(value)) };
    json = JSON.stringify(payload);
    if (fits(json, event, maxBytes)) return { ...event, payload, payloadJson: json };
  }
  return null;
}

/** Collects session events by session. */
export class SessionEventBatches {
  readonly bySession = new Map<string, { target: SessionTarget; events: SessionEvent[] }>();

  add(target: SessionTarget, events: SessionEvent[]): void {
    if (events.length === 0) return;
    const entry = this.bySession.get(target.sessionId);
    if (entry) entry.events.push(...events);
    else this.bySession.set(target.sessionId, { target, events: [...events] });
  }
}
