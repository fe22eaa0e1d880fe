import { ApiExtraModels, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsDateString,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { EVENT_ORIGINS, type EventOrigin } from '../entities/event.entity';

/**
 * One event of a session log. `payload` must match the schema of `type`: see the components
 * `EventPayload_<type>` of this document; custom types are namespaced `<namespace>/<name>`.
 */
export class EventInputDto {
  /** Strictly increasing within the session; an event at or below the stored high-water mark is refused. */
  @ApiProperty({ minimum: 1, example: 1 })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  seq: number;

  /** Unique per session: a retry with the same key and content is acknowledged, not stored twice. */
  @ApiProperty({ example: 'trace_curl_1:dev:1' })
  @IsString()
  @Length(1, 200)
  idempotency_key: string;

  @ApiProperty({ example: 'tool.call' })
  @IsString()
  @Length(1, 200)
  type: string;

  /** Client clock (ISO-8601). Stored as data; order never depends on it. */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsDateString({ strict: true })
  timestamp?: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  @IsObject()
  payload: Record<string, unknown>;
}

/** A batch: `{events: [...]}`. A single event may also be posted as the body itself. */
export class AppendEventsDto {
  @ApiProperty({ type: [EventInputDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => EventInputDto)
  events: EventInputDto[];
}

export class RejectedEventDto {
  /** Position of the event in the request. */
  index: number;

  @ApiProperty({ type: String, nullable: true })
  idempotency_key: string | null;

  @ApiProperty({ example: 'seq must be monotonic for this session' })
  reason: string;
}

export class AcceptedEventDto {
  index: number;
  seq: number;
  sub_seq: number;
  /** Position in the workspace stream (`Last-Event-ID` of /api/stream). */
  stream_seq: number;
  /** True when the event was already stored by an earlier identical request. */
  duplicate: boolean;
}

export class AppendResultDto {
  /** Events now in the log from this request, including identical retries. */
  @ApiProperty({ example: 1 })
  accepted: number;

  /** Of the accepted, how many were already stored (idempotent retries). */
  @ApiProperty({ example: 0 })
  duplicates: number;

  @ApiProperty({ type: [RejectedEventDto] })
  rejected: RejectedEventDto[];

  @ApiProperty({ type: [AcceptedEventDto] })
  events: AcceptedEventDto[];
}

export class ListEventsQueryDto {
  /** Events after this seq (and after every note placed at it). */
  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after_seq?: number;

  /** Opaque cursor from `next_cursor` (exact position, including sub_seq). */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 200;

  /** Only these types (comma-separated), e.g. `answer` for an agent waiting on its questions. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  type?: string;

  /** Long poll: when nothing is there yet, wait up to this many seconds for new events. */
  @ApiPropertyOptional({ minimum: 0, maximum: 30, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(30)
  wait_seconds: number = 0;
}

@ApiExtraModels()
export class EventResponseDto {
  @ApiProperty({ format: 'uuid' })
  session_id: string;

  seq: number;

  /** 0 for agent events; 1, 2, … for operator and system notes placed after `seq`. */
  sub_seq: number;

  stream_seq: number;

  idempotency_key: string;

  @ApiProperty({ example: 'tool.result' })
  type: string;

  @ApiProperty({ enum: EVENT_ORIGINS })
  origin: EventOrigin;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  timestamp: string | null;

  @ApiProperty({ format: 'date-time' })
  received_at: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  payload: Record<string, unknown>;
}

export class EventPageDto {
  @ApiProperty({ type: [EventResponseDto] })
  data: EventResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}

export class AnswerQuestionDto {
  @IsString()
  @Length(1, 200)
  question_id: string;

  @IsString()
  @Length(1, 20000)
  text: string;
}

export class LeaveFeedbackDto {
  @ApiPropertyOptional({ minimum: -1, maximum: 1 })
  @IsOptional()
  @Type(() => Number)
  @Min(-1)
  @Max(1)
  score?: number;

  @ApiPropertyOptional({ enum: ['up', 'down'] })
  @IsOptional()
  @IsIn(['up', 'down'])
  thumbs?: 'up' | 'down';

  @IsOptional()
  @IsString()
  @Length(0, 20000)
  comment?: string;

  /** The event judged; the whole run when absent. */
  @IsOptional()
  @IsInt()
  @Min(1)
  target_seq?: number;

  /** A name for the judgement, e.g. `correctness`. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  key?: string;
}
