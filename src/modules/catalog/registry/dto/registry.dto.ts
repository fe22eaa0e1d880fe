import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { CLASSIFICATIONS, type Classification, REGISTRY_KINDS, type RegistryKind } from '../../catalog.constants';

export const KEY_MESSAGE =
  'key must read <kind>.<name>: lower-case letters, digits, _ and - (e.g. agent.knowledge_chat)';

/**
 * `POST /v1/registry/{models|agents|tools}`: writes the next version of the entry with this key
 * (creating the entry, as version 1, when the caller's workspace sees none).
 */
export class RegistryWriteDto {
  @ApiProperty({ example: 'agent.knowledge_chat' })
  @Matches(/^(model|agent|tool)\.[a-z0-9][a-z0-9_-]{0,63}$/, { message: KEY_MESSAGE })
  key: string;

  /** The kind's spec; validated as the typed catalog validates it (errors under `spec.`). */
  @ApiProperty({ type: 'object', additionalProperties: true })
  @IsObject()
  spec: Record<string, unknown>;

  /** For a new entry (default `platform` here); an existing entry's classification never changes. */
  @ApiPropertyOptional({ enum: CLASSIFICATIONS })
  @IsOptional()
  @IsIn(CLASSIFICATIONS)
  classification?: Classification;

  /** For a new user entry: its owner, a member of the caller's workspace (default: the caller). */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  owner_user_id?: string;
}

export class RegistryVersionResponseDto {
  @ApiProperty({ format: 'uuid' })
  entry_id: string;

  @ApiProperty({ enum: REGISTRY_KINDS })
  kind: RegistryKind;

  key: string;

  version: number;

  /** Whether readers resolve this version now. */
  is_current: boolean;

  @ApiProperty({ enum: CLASSIFICATIONS })
  classification: Classification;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  workspace_id: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  spec: Record<string, unknown>;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  created_by: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;
}

export class RegistryVersionPageDto {
  @ApiProperty({ type: [RegistryVersionResponseDto] })
  data: RegistryVersionResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}

export class ListVersionsQueryDto extends PageQueryDto {}

export class GetRegistryEntryQueryDto {
  /** A past version; the current one when left out. */
  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  version?: number;
}

export class ValidationIssueDto {
  field: string;

  message: string;
}

/** The current version checked against today's catalog and ModelOps; nothing is changed. */
export class ValidationReportDto {
  /** No errors (warnings allowed). */
  valid: boolean;

  version: number;

  @ApiProperty({ type: [ValidationIssueDto] })
  errors: ValidationIssueDto[];

  @ApiProperty({ type: [ValidationIssueDto] })
  warnings: ValidationIssueDto[];
}
