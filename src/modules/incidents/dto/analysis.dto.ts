import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { ANALYSIS_SOURCES, type AnalysisSource } from '../entities/analysis.entity';

/**
 * Thresholds of the detectors for one run; each one left out takes its configured default
 * (ANALYSIS_* settings). What each one does: docs/detectors.md.
 */
export class DetectorThresholdsDto {
  /** repeated_tool_call: identical tool calls that make a loop. */
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(1000)
  loop_min_repeats?: number;

  /** no_progress: agent actions in a row without progress. */
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(1000)
  no_progress_steps?: number;

  /** timeout: client-clock gap that counts as a timeout, in seconds. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(604_800)
  timeout_gap_seconds?: number;

  /** abandoned: seconds without events after which a session that never ended is abandoned. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_592_000)
  abandon_after_seconds?: number;

  /** retries_exhausted: failed attempts in a row that exhaust the retries. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  max_retries?: number;

  /** runaway_usage: tokens of the session above which usage is runaway. */
  @IsOptional()
  @IsInt()
  @Min(1)
  max_tokens?: number;

  /** runaway_usage: cost (USD) of the session above which usage is runaway. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.000001)
  max_cost_usd?: number;

  /** Findings below this confidence form no incident. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  incident_min_confidence?: number;
}

export class AnalyzeTraceDto {
  @ApiPropertyOptional({ type: DetectorThresholdsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DetectorThresholdsDto)
  thresholds?: DetectorThresholdsDto;
}

const NAME = /^[a-z][a-z0-9_.-]{0,99}$/;

/** A finding of a server-side workflow, as PUT /api/traces/{id}/analysis takes it. */
export class FindingInputDto {
  /** Id of the detector (or workflow step) that found it: part of the incident fingerprint. */
  @ApiProperty({ example: 'tool_error' })
  @IsString()
  @Matches(NAME, { message: 'detector must be lower case letters, digits, `_`, `.` or `-` (1-100)' })
  detector: string;

  @ApiProperty({ example: 'tool_error' })
  @IsString()
  @Matches(NAME, { message: 'label must be lower case letters, digits, `_`, `.` or `-` (1-100)' })
  label: string;

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.9 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  confidence: number;

  /** Seqs of the events involved: each must be an event of the session. */
  @ApiProperty({ type: [Number], example: [3, 4] })
  @IsArray()
  @ArrayMaxSize(200)
  @IsInt({ each: true })
  @Min(1, { each: true })
  evidence: number[];

  /** The seq where the failure became inevitable: an event of the session. */
  @ApiProperty({ minimum: 1, example: 4 })
  @IsInt()
  @Min(1)
  critical_step: number;

  /** Normalised failure description (no ids or numbers): with the detector, the incident fingerprint. */
  @ApiProperty({ example: 'tool:search|error:TimeoutError' })
  @IsString()
  @Length(1, 500)
  signature: string;

  @IsOptional()
  @IsString()
  @Length(0, 2000)
  summary?: string;
}

export class PutAnalysisDto {
  /** Version of the workflow that produced the findings; recorded with the digest of its input. */
  @ApiProperty({ example: 'llm-judge@3' })
  @IsString()
  @Length(1, 200)
  detector_version: string;

  @ApiProperty({ type: [FindingInputDto] })
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => FindingInputDto)
  findings: FindingInputDto[];

  /** Link the findings to incidents (default true); false stores the analysis only. */
  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  link_incidents?: boolean;
}

export class FindingDto {
  @ApiProperty({ example: 'tool_error' })
  detector: string;

  @ApiProperty({ example: 'tool_error' })
  label: string;

  @ApiProperty({ minimum: 0, maximum: 1 })
  confidence: number;

  @ApiProperty({ type: [Number] })
  evidence: number[];

  critical_step: number;

  @ApiProperty({ example: 'tool:search|error:TimeoutError' })
  signature: string;

  summary: string;

  /** The incident this finding was linked to; null below the incident confidence or when not linked. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  incident_id: string | null;
}

export class AnalysisResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  session_id: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id: string;

  @ApiProperty({ format: 'uuid' })
  project_id: string;

  /** `detectors`: this server's detectors; `workflow`: stored by a server-side workflow. */
  @ApiProperty({ enum: ANALYSIS_SOURCES })
  source: AnalysisSource;

  /** `detectors@<n>+<hash of the thresholds and context>`, or the workflow's version. */
  detector_version: string;

  /** sha256 of the detector version, its context and the ordered events analysed. */
  @ApiProperty({
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    pattern: '^[0-9a-f]{64}$',
  })
  digest: string;

  @ApiProperty({ type: [String], example: ['tool_error'] })
  labels: string[];

  /** The earliest critical step among findings that reach the incident confidence. */
  @ApiProperty({ type: Number, nullable: true })
  critical_step: number | null;

  @ApiProperty({ type: [FindingDto] })
  findings: FindingDto[];

  /** The thresholds the detectors ran with (snake_case, as in the request). */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  thresholds: Record<string, number>;

  event_count: number;

  last_seq: number;

  /** Only the first ANALYSIS_MAX_EVENTS events were analysed. */
  truncated: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}
