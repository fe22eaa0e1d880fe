import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { RUN_TYPES, type RunIngestErrorCode, type RunStatus } from 'src/modules/traces/runs/runs.types';

const RUN_STATUSES: RunStatus[] = ['running', 'completed', 'failed'];
const ERROR_CODES: RunIngestErrorCode[] = ['invalid', 'forbidden', 'conflict', 'not_found', 'pending'];

/**
 * A run update as the LangSmith SDKs send it. The rules below are applied run by run by the
 * ingestion service (not by the request as a whole), so one bad run never costs the valid runs
 * sent with it; fields not listed here are ignored.
 */
export class RunUpdateDto {
  /** Required in a batch; in `PATCH /runs/{run_id}` the path names the run. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  id?: string;

  /** ISO-8601 (microseconds kept; no zone means UTC) or epoch milliseconds. */
  @ApiPropertyOptional({ oneOf: [{ type: 'string', format: 'date-time' }, { type: 'number' }] })
  @IsOptional()
  end_time?: string | number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  outputs?: Record<string, unknown>;

  /** Set → the run failed. */
  @IsOptional()
  @IsString()
  error?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  inputs?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: '`runtime`, `metadata`, ...' })
  @IsOptional()
  @IsObject()
  extra?: Record<string, unknown>;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tags?: string[];

  /** LangSmith run events (e.g. streamed tokens). */
  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true } })
  @IsOptional()
  @IsArray()
  events?: Record<string, unknown>[];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  trace_id?: string;

  /** `<YYYYMMDDTHHMMSSffffffZ><run id>` per ancestor, joined by `.`, ending with this run. */
  @IsOptional()
  @IsString()
  dotted_order?: string;
}

/** A run create as the LangSmith SDKs send it (see `RunUpdateDto` for how it is validated). */
export class RunCreateDto extends RunUpdateDto {
  /** The client's run id (uuid7 from the SDKs). */
  @ApiProperty({ format: 'uuid', description: "The client's run id (uuid7 from the SDKs)" })
  @IsUUID()
  declare id: string;

  @ApiProperty({ example: 'Agent Planning' })
  @IsString()
  @Length(1, 1000)
  name: string;

  @ApiProperty({ enum: RUN_TYPES })
  @IsIn(RUN_TYPES)
  run_type: string;

  @ApiProperty({ oneOf: [{ type: 'string', format: 'date-time' }, { type: 'number' }] })
  start_time: string | number;

  /** Absent for a root run. */
  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  parent_run_id?: string | null;

  /** The LangSmith project name: a project of the key's workspace, created on first use. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  session_name?: string;

  /** The project id, instead of `session_name`. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  session_id?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  serialized?: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  reference_example_id?: string;
}

/** `POST /runs/batch`: creates and updates; a create and an update of the same id are merged. */
export class RunBatchDto {
  @ApiPropertyOptional({ type: [RunCreateDto] })
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => RunCreateDto)
  post?: RunCreateDto[];

  @ApiPropertyOptional({ type: [RunUpdateDto] })
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => RunUpdateDto)
  patch?: RunUpdateDto[];
}

export class RunIngestErrorDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  run_id: string | null;

  @ApiProperty({ example: 'post refused: start_time is not an ISO-8601 date-time: "yesterday"' })
  reason: string;

  /** `pending`: a patch (or feedback) kept until its run arrives; nothing is lost. */
  @ApiProperty({ enum: ERROR_CODES })
  code: RunIngestErrorCode;
}

/** Agent Spy's batch answer. */
export class RunIngestResultDto {
  /** True when `errors` is empty. */
  success: boolean;

  /** Runs created. */
  created_count: number;

  /** Patches applied, and creates merged into a run already stored (re-sends). */
  updated_count: number;

  @ApiProperty({ type: [RunIngestErrorDto] })
  errors: RunIngestErrorDto[];
}

/** An attachment of a run, kept in object storage. */
export class RunAttachmentDto {
  content_type: string;
  size: number;
  sha256: string;
}

/** A stored run (`GET /runs/{run_id}`). */
export class RunResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  name: string;

  @ApiProperty({ enum: RUN_TYPES })
  run_type: string;

  @ApiProperty({ enum: RUN_STATUSES })
  status: RunStatus;

  @ApiProperty({ format: 'date-time', example: '2025-01-01T12:00:00.123456Z' })
  start_time: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  end_time: string | null;

  @ApiProperty({ type: Number, nullable: true, description: 'end_time - start_time, in milliseconds' })
  duration_ms: number | null;

  @ApiProperty({ format: 'uuid' })
  trace_id: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  parent_run_id: string | null;

  @ApiProperty({ type: String, nullable: true })
  dotted_order: string | null;

  /** LangSmith's meaning: the project the run is in. */
  @ApiProperty({ format: 'uuid' })
  session_id: string;

  project_name: string;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  inputs: Record<string, unknown> | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  outputs: Record<string, unknown> | null;

  @ApiProperty({ type: String, nullable: true })
  error: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  extra: Record<string, unknown> | null;

  @ApiProperty({ type: [String] })
  tags: string[];

  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  events: unknown[];

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  serialized: Record<string, unknown> | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  reference_example_id: string | null;

  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/RunAttachmentDto' } })
  attachments: Record<string, RunAttachmentDto>;

  @ApiProperty({ enum: ['langsmith', 'otlp'] })
  source: string;
}
