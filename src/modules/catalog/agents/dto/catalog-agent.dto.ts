import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { CLASSIFICATIONS, type Classification } from '../../catalog.constants';
import {
  CatalogEntryFieldsDto,
  ModelSelectionResponseDto,
  ToolPolicyResponseDto,
  WorkflowSettingsResponseDto,
} from '../../registry/dto/spec-response.dto';
import { AgentSpecDto } from '../../registry/dto/specs.dto';

/** A new agent: its key and classification, and the spec of version 1. */
export class CreateCatalogAgentDto extends AgentSpecDto {
  @ApiProperty({ example: 'agent.support_triage' })
  @Matches(/^agent\.[a-z0-9][a-z0-9_-]{0,63}$/, {
    message: 'key must read agent.<name>: lower-case letters, digits, _ and - (e.g. agent.support_triage)',
  })
  key: string;

  /** `platform` (global, never deleted) or `user` (the caller's workspace, with an owner). Default `user`. */
  @ApiPropertyOptional({ enum: CLASSIFICATIONS, default: 'user' })
  @IsOptional()
  @IsIn(CLASSIFICATIONS)
  classification?: Classification;

  /** User agents: the owner (a member of the caller's workspace), who may delete it. Default: the caller. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  owner_user_id?: string;
}

/** PUT: the whole spec of the next version (key, classification and owner never change). */
export class ReplaceCatalogAgentDto extends AgentSpecDto {}

export class ListCatalogEntriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CLASSIFICATIONS })
  @IsOptional()
  @IsIn(CLASSIFICATIONS)
  classification?: Classification;
}

export class CatalogAgentResponseDto extends CatalogEntryFieldsDto {
  /** The user agent's owner; null for platform agents. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  owner_user_id: string | null;

  system_prompt: string;

  @ApiProperty({ type: ModelSelectionResponseDto })
  model_selection: ModelSelectionResponseDto;

  @ApiProperty({ type: ToolPolicyResponseDto })
  tool_policy: ToolPolicyResponseDto;

  @ApiProperty({ type: WorkflowSettingsResponseDto })
  workflow: WorkflowSettingsResponseDto;
}

export class CatalogAgentPageDto {
  @ApiProperty({ type: [CatalogAgentResponseDto] })
  data: CatalogAgentResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}
