import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { EXAMPLE_PHASES, EXAMPLE_STATUSES, type ExamplePhase, type ExampleStatus } from '../entities/example.entity';
import { MAX_MESSAGES_PER_RECORD, MIN_MESSAGES_PER_RECORD } from '../examples.constants';
import { FAILED_TOOL_CALL_MODES, type FailedToolCalls } from '../transform/conversation';
import { SPLIT_MODES, type SplitMode } from '../transform/records';

export const REASONING_EFFORTS = ['minimal', 'low', 'medium', 'high'] as const;

/**
 * The sampling settings the data is meant for, recorded with the example (they do not change
 * the records). Unknown keys are refused, so a typo does not pass silently.
 */
export class ModelConfigurationDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 2, example: 0.7 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(2)
  temperature?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  top_p?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1_000_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  max_tokens?: number;

  @ApiPropertyOptional({ minimum: -2, maximum: 2 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-2)
  @Max(2)
  presence_penalty?: number;

  @ApiPropertyOptional({ minimum: -2, maximum: 2 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-2)
  @Max(2)
  frequency_penalty?: number;

  /** Up to 4 stop sequences. */
  @ApiPropertyOptional({ type: [String], maxItems: 4 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(4)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  stop?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  seed?: number;

  @ApiPropertyOptional({ enum: REASONING_EFFORTS })
  @IsOptional()
  @IsIn(REASONING_EFFORTS)
  reasoning_effort?: (typeof REASONING_EFFORTS)[number];
}

export class ExampleOptionsDto {
  /**
   * `whole_session`: one record, the whole conversation (every assistant message trained).
   * `per_assistant_turn`: one record per assistant message, the conversation before it as
   * context (earlier assistant messages weighted 0), bounded by `max_messages_per_record`.
   */
  @ApiPropertyOptional({ enum: SPLIT_MODES, default: 'whole_session' })
  @IsOptional()
  @IsIn(SPLIT_MODES)
  split?: SplitMode;

  /** Tool calls whose result failed: left out with their result (`drop`), or kept with the error as the tool message. */
  @ApiPropertyOptional({ enum: FAILED_TOOL_CALL_MODES, default: 'drop' })
  @IsOptional()
  @IsIn(FAILED_TOOL_CALL_MODES)
  failed_tool_calls?: FailedToolCalls;

  /** Replace the configured PII patterns (EXAMPLES_PII_PATTERNS) by `[redacted:<name>]` before writing. */
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  redact_pii?: boolean;

  /** per_assistant_turn: most messages in one record; default EXAMPLES_MAX_MESSAGES_PER_RECORD. */
  @ApiPropertyOptional({ minimum: MIN_MESSAGES_PER_RECORD, maximum: MAX_MESSAGES_PER_RECORD })
  @IsOptional()
  @IsInt()
  @Min(MIN_MESSAGES_PER_RECORD)
  @Max(MAX_MESSAGES_PER_RECORD)
  max_messages_per_record?: number;
}

export class CreateExampleDto {
  /** A session of the caller's workspace. */
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  session_id: string;

  /** A ModelOps model the caller may use (an `llm` model). */
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  model_id: string;

  @ApiProperty({ type: ModelConfigurationDto, example: { temperature: 0.7 } })
  @IsObject()
  @ValidateNested()
  @Type(() => ModelConfigurationDto)
  model_configuration: ModelConfigurationDto;

  @ApiPropertyOptional({ type: ExampleOptionsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ExampleOptionsDto)
  options?: ExampleOptionsDto;
}

export class ListExamplesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  session_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  model_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  suite_id?: string;
}

export class ResolvedExampleOptionsDto {
  @ApiProperty({ enum: SPLIT_MODES })
  split: SplitMode;

  @ApiProperty({ enum: FAILED_TOOL_CALL_MODES })
  failed_tool_calls: FailedToolCalls;

  redact_pii: boolean;

  /** The PII patterns applied (empty unless `redact_pii`). */
  @ApiProperty({ type: [String] })
  pii_patterns: string[];

  max_messages_per_record: number;
}

export class ReasonCountDto {
  reason: string;

  count: number;
}

export class ExampleProgressDto {
  /** `scan` (first pass: tools and record bounds), then `write` (the JSONL). */
  @ApiProperty({ enum: EXAMPLE_PHASES, nullable: true })
  phase: ExamplePhase | null;

  /** Conversation events read in the current phase. */
  events_read: number;

  /** 0 to 100, one decimal. */
  percent: number;
}

export class ExampleErrorDto {
  /** e.g. `session_not_found`, `internal_error`. */
  code: string;

  message: string;
}

export class ExampleResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id: string;

  @ApiProperty({ format: 'uuid' })
  project_id: string;

  @ApiProperty({ format: 'uuid' })
  session_id: string;

  @ApiProperty({ format: 'uuid', nullable: true })
  suite_id: string | null;

  @ApiProperty({ format: 'uuid' })
  model_id: string;

  /** As requested. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  model_configuration: Record<string, unknown>;

  options: ResolvedExampleOptionsDto;

  /** The session's events up to this seq (its high-water mark when requested) make the example. */
  through_seq: number;

  @ApiProperty({ enum: EXAMPLE_STATUSES })
  status: ExampleStatus;

  progress: ExampleProgressDto;

  /** Build attempts so far. */
  attempts: number;

  /** JSONL lines written. */
  records_written: number;

  /** Records left out because they would be invalid for the format. */
  records_skipped: number;

  /** Why records were left out, with counts (e.g. `no_assistant_message`). */
  @ApiProperty({ type: [ReasonCountDto] })
  skip_reasons: ReasonCountDto[];

  /** Messages and tool calls left out of records, with counts (e.g. `failed_tool_call`). */
  @ApiProperty({ type: [ReasonCountDto] })
  dropped: ReasonCountDto[];

  /** PII matches replaced. */
  redactions: number;

  /** Function names of the records' `tools`. */
  @ApiProperty({ type: [String] })
  tools: string[];

  /** Tools the session called that the catalog does not describe (their `parameters` are a bare object schema). */
  @ApiProperty({ type: [String] })
  undefined_tools: string[];

  @ApiProperty({ type: ExampleErrorDto, nullable: true })
  error: ExampleErrorDto | null;

  /** Hex SHA-256 of the JSONL (when ready). */
  @ApiProperty({ type: String, nullable: true })
  sha256: string | null;

  /** Bytes of the JSONL (when ready). */
  @ApiProperty({ type: Number, nullable: true })
  size_bytes: number | null;

  created_at: string;

  updated_at: string;

  @ApiProperty({ type: String, nullable: true })
  started_at: string | null;

  @ApiProperty({ type: String, nullable: true })
  completed_at: string | null;
}

export class ExamplePageDto {
  @ApiProperty({ type: [ExampleResponseDto] })
  data: ExampleResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}
