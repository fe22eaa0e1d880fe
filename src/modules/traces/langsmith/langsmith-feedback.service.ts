import { HttpStatus, Injectable } from '@nestjs/common';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import type { Principal } from 'src/modules/auth/principal';
import type { FeedbackRow } from 'src/modules/traces/runs/run-feedback.repository';
import { RunFeedbackService } from 'src/modules/traces/runs/run-feedback.service';
import type { FeedbackResponseDto, ListFeedbackQueryDto } from './dto/feedback.dto';
import { LangsmithErrorCode, LangsmithException, runFieldErrors } from './langsmith.exception';

/**
 * LangSmith feedback over RunFeedbackService. A feedback on a run not stored yet is kept (202)
 * and added to the run's session when the run arrives.
 */
@Injectable()
export class LangsmithFeedbackService {
  constructor(private readonly feedback: RunFeedbackService) {}

  async create(principal: Principal, body: unknown): Promise<{ status: number; body: FeedbackResponseDto }> {
    const { feedback, errors } = await this.feedback.create(principal, [body]);
    const refused = errors.filter((e) => e.code !== 'pending');
    if (feedback.length === 0 || refused.length > 0) {
      const first = refused[0] ?? errors[0];
      if (first?.code === 'not_found') throw new NotFoundAppException('Run', first.run_id ?? undefined);
      const status =
        first?.code === 'forbidden'
          ? HttpStatus.FORBIDDEN
          : first?.code === 'conflict'
            ? HttpStatus.CONFLICT
            : HttpStatus.UNPROCESSABLE_ENTITY;
      throw new LangsmithException(
        status,
        first?.code === 'forbidden' ? 'project_mismatch' : LangsmithErrorCode.RunsRejected,
        first?.reason ?? 'The feedback was refused',
        {
          errors: runFieldErrors(refused),
        },
      );
    }
    const pending = errors.some((e) => e.code === 'pending');
    return { status: pending ? HttpStatus.ACCEPTED : HttpStatus.OK, body: toFeedbackResponse(feedback[0]) };
  }

  async get(principal: Principal, id: string): Promise<FeedbackResponseDto> {
    const row = await this.feedback.get(principal, id);
    if (!row) throw new NotFoundAppException('Feedback', id);
    return toFeedbackResponse(row);
  }

  async list(principal: Principal, query: ListFeedbackQueryDto): Promise<FeedbackResponseDto[]> {
    const rows = await this.feedback.list(
      principal,
      { runIds: query.run, keys: query.key, sources: query.source },
      query.limit,
      query.offset,
    );
    return rows.map(toFeedbackResponse);
  }
}

export function toFeedbackResponse(row: FeedbackRow): FeedbackResponseDto {
  return {
    id: row.id,
    run_id: row.run_id,
    trace_id: row.trace_id,
    session_id: row.project_id,
    key: row.key,
    score: row.score,
    value: row.value,
    comment: row.comment,
    correction: row.correction,
    feedback_source: row.feedback_source,
    created_at: row.created_at,
    modified_at: row.modified_at,
  };
}
