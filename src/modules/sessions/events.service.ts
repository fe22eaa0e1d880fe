import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { AllConfig } from 'src/config/configuration';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import type { BodyHandle } from 'src/common/http/body-handle.decorator';
import { decodeCursor, encodeCursor } from 'src/common/pagination/cursor';
import { assertProjectWritable, Principal } from 'src/modules/auth/principal';
import {
  AnswerQuestionDto,
  AppendResultDto,
  EventInputDto,
  EventPageDto,
  EventResponseDto,
  LeaveFeedbackDto,
  ListEventsQueryDto,
} from './dto/event.dto';
import { EndTraceDto } from './dto/session.dto';
import { EventEntity, EventOrigin } from './entities/event.entity';
import { SessionEntity } from './entities/session.entity';
import { CheckedEvent } from './events/checked-event';
import { isValidEnvelope } from './events/envelope';
import { EventValidator } from './events/event-validator';
import { IngestWriter, SESSION_NOT_FOUND } from './ingest/ingest-writer';
import { AppendMode, AppendTarget, EventInput, EventOutcome } from './ingest/ingest.types';
import { SessionsEvents } from './sessions.events';
import { SessionsErrorCode, SessionsException } from './sessions.exception';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

type Checked = { ok: true; event: EventInput } | { ok: false; reason: string; key: string | null };

/** Appends to and reads the session log; every ingestion path comes through here. */
@Injectable()
export class EventsService {
  private readonly validator = new EventValidator();
  /** Read once: they are checked for every event of every batch. */
  private readonly limits: AllConfig['ingest'];

  constructor(
    private readonly sessions: SessionsService,
    private readonly repository: SessionsRepository,
    private readonly writer: IngestWriter,
    private readonly sessionsEvents: SessionsEvents,
    config: ConfigService<AllConfig, true>,
  ) {
    this.limits = config.getOrThrow('ingest', { infer: true });
  }

  /**
   * The trace API append: a single event or `{events: [...]}`. Valid events of a mixed batch are
   * stored; the others are listed with their reason. A single refused event is a 409 (conflict)
   * or 422 (invalid) instead.
   */
  async appendFromClient(principal: Principal, sessionId: string, body: BodyHandle): Promise<AppendResultDto> {
    const target = await this.sessions.getAppendTarget(principal, sessionId);
    assertProjectWritable(principal, target.projectId);
    // Taken only now and checked in one synchronous step: while the batch waits for its commit,
    // nothing holds its parse tree, only each event's serialized payload.
    const { checked, single } = this.checkBatch(body.take());
    const result = await this.appendChecked(target, checked, 'client', 'agent');
    if (single && result.rejected.length === 1) {
      const { reason } = result.rejected[0];
      const conflict = result.conflicts.has(0);
      throw new SessionsException(
        conflict ? HttpStatus.CONFLICT : HttpStatus.UNPROCESSABLE_ENTITY,
        conflict ? SessionsErrorCode.EventConflict : SessionsErrorCode.EventRejected,
        reason,
        conflict ? {} : { errors: [{ field: 'event', message: reason }] },
      );
    }
    return result.response;
  }

  /**
   * Appends events produced by the server itself (uploads, LangSmith runs, OTLP spans, operator
   * notes): schema-checked like client events, refused ones reported the same way.
   */
  async appendFromServer(target: AppendTarget, events: EventInput[], mode: AppendMode, origin: EventOrigin) {
    const result = await this.appendChecked(
      target,
      events.map((e, index) => this.checkPayload(e, index)),
      mode,
      origin,
    );
    return result.response;
  }

  /** An operator's note (answer, feedback, explicit end) placed after the current high-water mark. */
  private async annotate(
    principal: Principal,
    sessionId: string,
    type: string,
    payload: Record<string, unknown>,
    key: string,
  ) {
    const session = await this.sessions.getEntity(principal, sessionId);
    const result = await this.appendFromServer(
      targetOf(session),
      [{ idempotency_key: key, type, payload, timestamp: new Date().toISOString() }],
      'annotation',
      principal.kind === 'jwt' ? 'operator' : 'system',
    );
    if (result.rejected.length > 0) {
      throw new SessionsException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        SessionsErrorCode.EventRejected,
        result.rejected[0].reason,
      );
    }
    return result;
  }

  /** Ends the run from outside the agent: a `session.end` note; status and end time follow. */
  endSession(principal: Principal, sessionId: string, dto: EndTraceDto): Promise<AppendResultDto> {
    const payload = { status: dto.status, ...(dto.error ? { error: dto.error } : {}) };
    return this.annotate(principal, sessionId, 'session.end', payload, `server:end:${randomUUID()}`);
  }

  answerQuestion(principal: Principal, sessionId: string, dto: AnswerQuestionDto): Promise<AppendResultDto> {
    const payload = { question_id: dto.question_id, text: dto.text, answered_by: principal.email };
    return this.annotate(principal, sessionId, 'answer', payload, `operator:answer:${randomUUID()}`);
  }

  leaveFeedback(principal: Principal, sessionId: string, dto: LeaveFeedbackDto): Promise<AppendResultDto> {
    const payload = { ...dto, given_by: principal.email };
    return this.annotate(principal, sessionId, 'feedback', payload, `operator:feedback:${randomUUID()}`);
  }

  async list(principal: Principal, sessionId: string, query: ListEventsQueryDto): Promise<EventPageDto> {
    const session = await this.sessions.getEntity(principal, sessionId);
    const after = this.startPosition(query);
    const types = query.type
      ?.split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    let rows = await this.repository.listEvents(principal.workspaceId, session.id, after, query.limit, types);
    if (rows.length === 0 && query.wait_seconds > 0) {
      await this.waitForAppend(session.id, query.wait_seconds * 1000);
      rows = await this.repository.listEvents(principal.workspaceId, session.id, after, query.limit, types);
    }
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      data: page.map(toEventResponse),
      next_cursor: rows.length > query.limit && last ? encodeCursor({ s: Number(last.seq), u: last.subSeq }) : null,
    };
  }

  /** After a cursor's exact position; after `after_seq` N, past every note placed at N; else from the start. */
  private startPosition(query: ListEventsQueryDto): { seq: number; subSeq: number } {
    if (query.cursor) {
      const { s, u } = decodeCursor<{ s: number; u: number }>(query.cursor, ['s', 'u']);
      return { seq: s, subSeq: u };
    }
    if (query.after_seq) return { seq: query.after_seq, subSeq: 2_147_483_647 };
    return { seq: 0, subSeq: 0 };
  }

  private waitForAppend(sessionId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const unsubscribe = this.sessionsEvents.onCommitted((append) => {
        if (append.sessionIds.includes(sessionId)) done();
      });
      function done() {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  }

  /** A single event or `{events: [...]}`, each checked; the batch limit is a 413 for the whole request. */
  private checkBatch(body: unknown): { checked: Checked[]; single: boolean } {
    const single = !(body && typeof body === 'object' && 'events' in body);
    const raw: unknown = single ? [body] : body.events;
    if (!Array.isArray(raw) || raw.length === 0) {
      throw new SessionsException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        SessionsErrorCode.EventRejected,
        '`events` must be a non-empty array',
        {
          errors: [{ field: 'events', message: 'events must be a non-empty array' }],
        },
      );
    }
    this.assertWithinBatchLimit(raw);
    return { checked: raw.map((e, index) => this.check(e, index)), single };
  }

  private assertWithinBatchLimit(raw: unknown[]): void {
    const { maxEventsPerBatch } = this.limits;
    if (raw.length > maxEventsPerBatch) {
      throw new SessionsException(
        HttpStatus.PAYLOAD_TOO_LARGE,
        SessionsErrorCode.TooManyEvents,
        `A request carries at most ${maxEventsPerBatch} events (got ${raw.length})`,
      );
    }
  }

  /** The envelope (seq, key, type, timestamp) by the DTO's rules, then the payload by its type's schema. */
  private check(raw: unknown, index: number): Checked {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      return { ok: false, reason: 'an event must be a JSON object', key: null };
    }
    if (isValidEnvelope(raw)) {
      const { seq, idempotency_key, type, timestamp, payload } = raw;
      return this.checkPayload({ seq, idempotency_key, type, timestamp, payload }, index);
    }
    const dto = plainToInstance(EventInputDto, raw);
    const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) {
      const key = (raw as { idempotency_key?: unknown }).idempotency_key;
      const reason = errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ');
      return { ok: false, reason, key: typeof key === 'string' ? key : null };
    }
    return this.checkPayload({ ...dto }, index);
  }

  /**
   * The payload: serialized once here for the size limit (413 for the whole request), the schema
   * of its type, the NUL check and the insert.
   */
  private checkPayload(event: EventInput, index: number): Checked {
    const payloadJson = JSON.stringify(event.payload);
    const { maxEventBytes } = this.limits;
    const units = payloadJson.length + event.idempotency_key.length + event.type.length;
    // A UTF-16 unit is at most 3 UTF-8 bytes: only a payload that might be over is measured.
    if (units > maxEventBytes || (units * 3 > maxEventBytes && Buffer.byteLength(payloadJson) > maxEventBytes)) {
      throw new SessionsException(
        HttpStatus.PAYLOAD_TOO_LARGE,
        SessionsErrorCode.EventTooLarge,
        `Event ${index} exceeds the limit of ${maxEventBytes} bytes`,
      );
    }
    const verdict = this.validator.check(event.type, event.payload);
    if (!verdict.ok) return { ...verdict, key: event.idempotency_key };
    // PostgreSQL jsonb cannot hold U+0000; refuse it here rather than fail the whole write.
    if (payloadJson.includes('\\u0000')) {
      return {
        ok: false,
        reason: 'payload contains a NUL character (\\u0000), which cannot be stored',
        key: event.idempotency_key,
      };
    }
    return { ok: true, event: new CheckedEvent(event, payloadJson) };
  }

  private async appendChecked(target: AppendTarget, checked: Checked[], mode: AppendMode, origin: EventOrigin) {
    const valid = checked.flatMap((c, index) => (c.ok ? [{ index, event: c.event }] : []));
    const outcomes: EventOutcome[] = valid.length
      ? await this.writer.append({ target, events: valid.map((v) => v.event), mode, origin })
      : [];
    if (outcomes.some((o) => o.status === 'rejected' && o.reason === SESSION_NOT_FOUND)) {
      this.sessions.forgetAppendTarget(target.sessionId);
      throw new NotFoundAppException('Session', target.sessionId);
    }
    const response: AppendResultDto = { accepted: 0, duplicates: 0, rejected: [], events: [] };
    const conflicts = new Set<number>();
    checked.forEach((c, index) => {
      if (!c.ok) response.rejected.push({ index, idempotency_key: c.key, reason: c.reason });
    });
    valid.forEach(({ index, event }, i) => {
      const outcome = outcomes[i];
      if (outcome.status === 'rejected') {
        response.rejected.push({ index, idempotency_key: event.idempotency_key, reason: outcome.reason });
        if (outcome.conflict) conflicts.add(index);
        return;
      }
      response.accepted++;
      if (outcome.status === 'duplicate') response.duplicates++;
      response.events.push({
        index,
        seq: outcome.seq,
        sub_seq: outcome.subSeq,
        stream_seq: outcome.streamSeq,
        duplicate: outcome.status === 'duplicate',
      });
    });
    response.rejected.sort((a, b) => a.index - b.index);
    return { response, conflicts, rejected: response.rejected };
  }
}

const targetOf = (session: SessionEntity): AppendTarget => ({
  sessionId: session.id,
  workspaceId: session.workspaceId,
  projectId: session.projectId,
});

export function toEventResponse(row: EventEntity): EventResponseDto {
  return {
    session_id: row.sessionId,
    seq: Number(row.seq),
    sub_seq: row.subSeq,
    stream_seq: Number(row.streamSeq),
    idempotency_key: row.idempotencyKey,
    type: row.type,
    origin: row.origin,
    timestamp: row.clientTs?.toISOString() ?? null,
    received_at: row.receivedAt.toISOString(),
    payload: row.payload,
  };
}
