import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsArray, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { FEEDBACK_PAGE } from '../langsmith.constants';

const toArray = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

/**
 * A feedback as the LangSmith SDK sends it (`createFeedback`). Validated by the service, so that
 * the multipart `feedback.<id>` parts follow the same rules; other fields are kept as sent.
 */
export class FeedbackCreateDto {
  /** Generated when absent. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  run_id: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  trace_id?: string;

  @ApiProperty({ example: 'correctness' })
  @IsString()
  @Length(1, 200)
  key: string;

  /** A number, or a boolean (stored as 1 / 0). */
  @ApiPropertyOptional({ oneOf: [{ type: 'number' }, { type: 'boolean' }], nullable: true })
  @IsOptional()
  score?: number | boolean | null;

  @ApiPropertyOptional({ description: 'Any JSON value' })
  @IsOptional()
  value?: unknown;

  @IsOptional()
  @IsString()
  comment?: string;

  @ApiPropertyOptional({ description: 'Any JSON value' })
  @IsOptional()
  correction?: unknown;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { type: 'api', metadata: {} } })
  @IsOptional()
  @IsObject()
  feedback_source?: Record<string, unknown>;
}

export class FeedbackResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  run_id: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  trace_id: string | null;

  /** The run's project; null while the run is not stored yet. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  session_id: string | null;

  key: string;

  @ApiProperty({ type: Number, nullable: true })
  score: number | null;

  @ApiProperty({ nullable: true, description: 'Any JSON value' })
  value: unknown;

  @ApiProperty({ type: String, nullable: true })
  comment: string | null;

  @ApiProperty({ nullable: true, description: 'Any JSON value' })
  correction: unknown;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  feedback_source: Record<string, unknown> | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  modified_at: string;
}

/** `GET /feedback` (the SDK's `listFeedback`): filters repeat (`?run=a&run=b`); offset paging as LangSmith has it. */
export class ListFeedbackQueryDto {
  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'Run ids' })
  @IsOptional()
  @Transform(toArray)
  @IsArray()
  @IsUUID('all', { each: true })
  run?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Feedback keys' })
  @IsOptional()
  @Transform(toArray)
  @IsArray()
  @IsString({ each: true })
  key?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Feedback source types (`api`, `model`, ...)' })
  @IsOptional()
  @Transform(toArray)
  @IsArray()
  @IsString({ each: true })
  source?: string[];

  @ApiPropertyOptional({ minimum: 1, maximum: FEEDBACK_PAGE.max, default: FEEDBACK_PAGE.default })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(FEEDBACK_PAGE.max)
  limit: number = FEEDBACK_PAGE.default;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;
}
