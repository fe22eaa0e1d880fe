import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { CAPABILITIES, PROVIDER_ORIGINS } from '../platform-control.constants';

export const PREFLIGHT_STATUSES = ['ok', 'unreachable', 'incompatible', 'blocked'] as const;
export type PreflightStatus = (typeof PREFLIGHT_STATUSES)[number];

/** The preflight of one bound provider. */
export class PreflightEntryDto {
  @ApiProperty({ enum: CAPABILITIES })
  capability: string;

  @ApiProperty({ format: 'uuid' })
  provider_id: string;

  provider_slug: string;

  family: string;

  @ApiProperty({ enum: PROVIDER_ORIGINS })
  provider_origin: string;

  @ApiProperty({ enum: PREFLIGHT_STATUSES })
  status: PreflightStatus;

  detail: string;

  latency_ms: number;
}

export class ActivationResponseDto {
  @ApiProperty({ format: 'uuid' })
  deployment_id: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  previous_deployment_id: string | null;

  @ApiProperty({ format: 'date-time' })
  activated_at: string;

  @ApiProperty({ type: [PreflightEntryDto] })
  preflight: PreflightEntryDto[];
}

export class ListActivationAuditQueryDto extends PageQueryDto {
  /** Only attempts on this deployment. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  deployment_id?: string;
}

export class ActivationAuditEntryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  deployment_id: string;

  deployment_slug: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  previous_deployment_id: string | null;

  @ApiProperty({ enum: ['activated', 'rejected'] })
  outcome: 'activated' | 'rejected';

  /** The problem code of a rejected attempt (`preflight_failed`, `offline_provider_blocked`…). */
  @ApiProperty({ type: String, nullable: true })
  reason: string | null;

  @ApiProperty({ type: [PreflightEntryDto] })
  preflight: PreflightEntryDto[];

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actor_user_id: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actor_api_key_id: string | null;

  @ApiProperty({ type: String, nullable: true })
  request_id: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}

export class ActivationAuditPageDto {
  @ApiProperty({ type: [ActivationAuditEntryDto] })
  data: ActivationAuditEntryDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}
