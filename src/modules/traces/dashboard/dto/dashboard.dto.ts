import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { RUN_TYPES, type RunStatus } from 'src/modules/traces/runs/runs.types';

const RUN_STATUSES: RunStatus[] = ['running', 'completed', 'failed'];

/** `GET /api/v1/dashboard/runs/roots`: Agent Spy's filters, offset paging as its contract has it. */
export class RootRunsQueryDto {
  /** Project name, slug or id. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  project?: string;

  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: RunStatus;

  /** Case-insensitive text in the run name. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  search?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsDateString()
  start_time_gte?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsDateString()
  start_time_lte?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 50;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;
}

/** A trace's root run, as the dashboard lists it. */
export class TraceRunDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  trace_id: string;

  name: string;

  @ApiProperty({ enum: RUN_TYPES })
  run_type: string;

  @ApiProperty({ enum: RUN_STATUSES })
  status: RunStatus;

  @ApiProperty({ format: 'date-time' })
  start_time: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  end_time: string | null;

  @ApiProperty({ type: Number, nullable: true })
  duration_ms: number | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  inputs: Record<string, unknown> | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  outputs: Record<string, unknown> | null;

  @ApiProperty({ type: String, nullable: true })
  error: string | null;

  project_name: string;

  @ApiProperty({ format: 'uuid' })
  project_id: string;

  @ApiProperty({ type: [String] })
  tags: string[];
}

export class RootRunsResponseDto {
  @ApiProperty({ type: [TraceRunDto] })
  runs: TraceRunDto[];

  /** Root runs matching the filters. */
  total: number;

  limit: number;

  offset: number;

  has_more: boolean;
}

/** A run in its trace's tree. */
export class RunHierarchyNodeDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  parent_run_id: string | null;

  name: string;

  @ApiProperty({ enum: RUN_TYPES })
  run_type: string;

  @ApiProperty({ enum: RUN_STATUSES })
  status: RunStatus;

  @ApiProperty({ format: 'date-time' })
  start_time: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  end_time: string | null;

  @ApiProperty({ type: Number, nullable: true })
  duration_ms: number | null;

  @ApiProperty({ type: String, nullable: true })
  error: string | null;

  /** In start-time order. */
  @ApiProperty({ type: () => [RunHierarchyNodeDto] })
  children: RunHierarchyNodeDto[];
}

export class RunHierarchyResponseDto {
  @ApiProperty({ format: 'uuid' })
  root_run_id: string;

  @ApiProperty({ format: 'uuid' })
  trace_id: string;

  @ApiProperty({ type: RunHierarchyNodeDto })
  hierarchy: RunHierarchyNodeDto;

  /** Runs in `hierarchy` and `orphans`. */
  total_runs: number;

  /** Levels of `hierarchy` (a root alone is 1). */
  max_depth: number;

  /** Runs of the trace whose parent is not stored (yet), with their subtrees. */
  @ApiProperty({ type: [RunHierarchyNodeDto] })
  orphans: RunHierarchyNodeDto[];
}

export class DashboardStatsDto {
  total_runs: number;

  /** Distinct traces. */
  total_traces: number;

  /** Runs started in the last 24 hours. */
  recent_runs_24h: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { completed: 3, failed: 1, running: 0 },
  })
  status_distribution: Record<string, number>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { chain: 2, llm: 1, tool: 1 } })
  run_type_distribution: Record<string, number>;

  /** Runs by project name. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { 'market-analysis': 4 } })
  project_distribution: Record<string, number>;
}

export class RecentProjectDto {
  name: string;

  total_runs: number;

  total_traces: number;

  @ApiProperty({ format: 'date-time' })
  last_activity: string;
}

export class DashboardSummaryDto {
  @ApiProperty({ type: DashboardStatsDto })
  stats: DashboardStatsDto;

  /** Up to 10 projects, most recently active first. */
  @ApiProperty({ type: [RecentProjectDto] })
  recent_projects: RecentProjectDto[];

  @ApiProperty({ format: 'date-time' })
  timestamp: string;
}
