import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsIn, IsObject, IsOptional, IsString, IsUUID, Length, ValidateNested } from 'class-validator';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { SESSION_SOURCES, SESSION_STATUSES, type SessionSource, type SessionStatus } from '../entities/session.entity';

export class AgentRefDto {
  /** The agent's name, as the team calls it. */
  @ApiProperty({ example: 'support-agent' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ example: '1.4.2' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  version?: string;
}

export class CreateTraceDto {
  /** Session id chosen by the client: a retry with the same id returns the same session. */
  @IsOptional()
  @IsUUID()
  id?: string;

  /** Alternative to `id`: a retry with the same key (per project) returns the same session. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  idempotency_key?: string;

  /** Defaults to the key's pinned project, else the workspace's `default` project. */
  @IsOptional()
  @IsUUID()
  project_id?: string;

  @ApiProperty({ type: AgentRefDto })
  @ValidateNested()
  @Type(() => AgentRefDto)
  agent: AgentRefDto;

  @IsOptional()
  @IsUUID()
  suite_id?: string;

  /** When the run started by the client's clock (data only). */
  @IsOptional()
  @IsDateString({ strict: true })
  started_at?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class EndTraceDto {
  @ApiProperty({ enum: ['completed', 'failed'] })
  @IsIn(['completed', 'failed'])
  status: 'completed' | 'failed';

  @IsOptional()
  @IsString()
  @Length(0, 10000)
  error?: string;
}

export class ListSessionsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsUUID()
  project_id?: string;

  @IsOptional()
  @IsUUID()
  suite_id?: string;

  /** Agent name. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  agent?: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  agent_version?: string;

  @ApiPropertyOptional({ enum: SESSION_STATUSES })
  @IsOptional()
  @IsIn(SESSION_STATUSES)
  status?: SessionStatus;

  @ApiPropertyOptional({ enum: SESSION_SOURCES })
  @IsOptional()
  @IsIn(SESSION_SOURCES)
  source?: SessionSource;

  /** Sessions started at or after this instant. */
  @IsOptional()
  @IsDateString({ strict: true })
  started_after?: string;

  /** Sessions started before this instant. */
  @IsOptional()
  @IsDateString({ strict: true })
  started_before?: string;
}

export class SessionResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id: string;

  @ApiProperty({ format: 'uuid' })
  project_id: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  suite_id: string | null;

  @ApiProperty({ enum: SESSION_SOURCES })
  source: SessionSource;

  @ApiProperty({ enum: SESSION_STATUSES })
  status: SessionStatus;

  @ApiProperty({ type: AgentRefDto })
  agent: { name: string; version: string | null };

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  /** Events stored in the log. */
  event_count: number;

  /** Highest client seq stored: the next agent event must come above it. */
  last_seq: number;

  @ApiProperty({ format: 'date-time' })
  started_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  ended_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_event_at: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}

export class SessionPageDto {
  @ApiProperty({ type: [SessionResponseDto] })
  data: SessionResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}

export class ListAgentsQueryDto {
  @IsOptional()
  @IsUUID()
  project_id?: string;
}

export class AgentSummaryDto {
  name: string;

  @ApiProperty({ type: [String] })
  versions: string[];

  session_count: number;

  failed_count: number;

  @ApiProperty({ format: 'date-time' })
  last_session_at: string;
}
