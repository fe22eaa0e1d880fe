import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
} from 'class-validator';
import {
  REGRESSION_PHASES,
  REGRESSION_RUN_STATUSES,
  type RegressionPhase,
  type RegressionRunStatus,
} from '../regression-runs.constants';

export class CreateRegressionRunDto {
  /** The affected agent (its name as sessions report it); required only when the incident affected several. */
  @ApiPropertyOptional({ example: 'checkout-agent' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  agent?: string;

  /** The versions before the change; default: the agent's versions the incident was seen in, first seen before the candidate. */
  @ApiPropertyOptional({ type: [String], example: ['1.0.0'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  baseline_versions?: string[];

  /** The version after the change; default: the newest version first seen after every version the incident was seen in. */
  @ApiPropertyOptional({ example: '1.1.0' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  candidate_version?: string;

  /** Count only sessions that started at or after this time (ISO-8601). */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  /** Count only sessions that started before this time (ISO-8601). */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;
}

export class RegressionProgressDto {
  @ApiProperty({ enum: REGRESSION_PHASES })
  phase: RegressionPhase;

  /** Sessions counted so far (both sides). */
  done: number;

  /** Sessions to count (both sides); 0 until the run has listed them. */
  total: number;

  /** done / total in percent (0 until listed, 100 when done). */
  percent: number;
}

export class RegressionSideDto {
  @ApiProperty({ type: [String] })
  versions: string[];

  /** Sessions of these versions counted (each with an analysis). */
  sessions: number;

  /** Sessions whose analysis has a finding of the incident's fingerprint. */
  affected: number;

  /** affected / sessions; null when there were no sessions. */
  @ApiProperty({ type: Number, nullable: true, example: 0.25 })
  rate: number | null;

  /** Sessions the run analysed because they had no (or an outdated) analysis. */
  analysed_now: number;

  /** More sessions matched than a run counts (5000 per side): the most recent were counted. */
  truncated: boolean;
}

export class RegressionResultDto {
  fingerprint: string;

  @ApiProperty({ type: RegressionSideDto })
  before: RegressionSideDto;

  @ApiProperty({ type: RegressionSideDto })
  after: RegressionSideDto;

  /** after.rate > before.rate; null with insufficient data. */
  @ApiProperty({ type: Boolean, nullable: true })
  regressed: boolean | null;

  /** after.rate < before.rate; null with insufficient data. */
  @ApiProperty({ type: Boolean, nullable: true })
  improved: boolean | null;

  /** A side had no sessions: the rates cannot be compared. */
  insufficient_data: boolean;

  detail: string;
}

export class RegressionErrorDto {
  code: string;
  message: string;
}

export class RegressionRunResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  incident_id: string;

  agent: string;

  @ApiProperty({ type: [String] })
  baseline_versions: string[];

  candidate_version: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  since: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  until: string | null;

  @ApiProperty({ enum: REGRESSION_RUN_STATUSES })
  status: RegressionRunStatus;

  @ApiProperty({ type: RegressionProgressDto })
  progress: RegressionProgressDto;

  @ApiProperty({ type: RegressionResultDto, nullable: true })
  result: RegressionResultDto | null;

  @ApiProperty({ type: Boolean, nullable: true })
  regressed: boolean | null;

  @ApiProperty({ type: Boolean, nullable: true })
  improved: boolean | null;

  @ApiProperty({ type: RegressionErrorDto, nullable: true })
  error: RegressionErrorDto | null;

  attempts: number;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  created_by: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  started_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finished_at: string | null;
}

export class RegressionRunPageDto {
  @ApiProperty({ type: [RegressionRunResponseDto] })
  data: RegressionRunResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}
