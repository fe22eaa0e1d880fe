import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { INCIDENT_STATUSES, type IncidentStatus } from '../entities/incident.entity';

export class ListIncidentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: INCIDENT_STATUSES })
  @IsOptional()
  @IsIn(INCIDENT_STATUSES)
  status?: IncidentStatus;

  /** Incidents that affected this project. */
  @IsOptional()
  @IsUUID()
  project_id?: string;

  /** Detector id, e.g. `tool_error`. */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  detector?: string;

  /** Agent name: incidents that affected this agent. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  agent?: string;
}

export class UpdateIncidentDto {
  @ApiPropertyOptional({ enum: INCIDENT_STATUSES })
  @IsOptional()
  @IsIn(INCIDENT_STATUSES)
  status?: IncidentStatus;

  /** A member of the incident's workspace (else 422); null clears the owner. */
  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  owner_id?: string | null;
}

export class AffectedAgentDto {
  name: string;

  /** Versions of the agent seen in linked sessions (sessions without a version are not listed). */
  @ApiProperty({ type: [String] })
  versions: string[];
}

export class IncidentResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id: string;

  /** sha256 of workspace, detector and signature: findings with the same one form this incident. */
  fingerprint: string;

  @ApiProperty({ example: 'tool_error' })
  detector: string;

  @ApiProperty({ example: 'tool_error' })
  label: string;

  @ApiProperty({ example: 'tool:search|error:TimeoutError' })
  signature: string;

  title: string;

  @ApiProperty({ enum: INCIDENT_STATUSES })
  status: IncidentStatus;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  owner_id: string | null;

  /** Sessions linked to the incident. */
  count: number;

  @ApiProperty({ format: 'date-time' })
  first_seen_at: string;

  @ApiProperty({ format: 'date-time' })
  last_seen_at: string;

  @ApiProperty({ type: [AffectedAgentDto] })
  affected_agents: AffectedAgentDto[];

  @ApiProperty({ type: [String], format: 'uuid' })
  project_ids: string[];

  /** The most recently seen linked sessions, newest first (at most 20). */
  @ApiProperty({ type: [String], format: 'uuid' })
  sample_session_ids: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  resolved_at: string | null;

  /** Times the incident came back after it was resolved. */
  reopened_count: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  reopened_at: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}

export class IncidentPageDto {
  @ApiProperty({ type: [IncidentResponseDto] })
  data: IncidentResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}
