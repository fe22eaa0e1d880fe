import { ApiProperty } from '@nestjs/swagger';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';

export class AuditLogQueryDto extends PageQueryDto {}

export class AuditLogEntryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  workspace_id: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actor_user_id: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actor_api_key_id: string | null;

  @ApiProperty({ example: 'membership.role_changed' })
  action: string;

  @ApiProperty({ example: 'membership' })
  target_type: string;

  @ApiProperty({ type: String, nullable: true })
  target_id: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  data: Record<string, unknown>;

  @ApiProperty({ type: String, nullable: true })
  request_id: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}

export class AuditLogPageDto {
  @ApiProperty({ type: [AuditLogEntryDto] })
  data: AuditLogEntryDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}
