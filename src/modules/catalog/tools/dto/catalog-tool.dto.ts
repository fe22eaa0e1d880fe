import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { CLASSIFICATIONS, type Classification, TOOL_TRANSPORTS, type ToolTransport } from '../../catalog.constants';
import { CatalogEntryFieldsDto } from '../../registry/dto/spec-response.dto';
import { ToolSpecDto } from '../../registry/dto/specs.dto';

/** A new tool: its key and classification, and the spec of version 1. */
export class CreateCatalogToolDto extends ToolSpecDto {
  /** The function name agents call is the key without `tool.`. */
  @ApiProperty({ example: 'tool.order_lookup' })
  @Matches(/^tool\.[a-z0-9][a-z0-9_-]{0,63}$/, {
    message: 'key must read tool.<name>: lower-case letters, digits, _ and - (e.g. tool.order_lookup)',
  })
  key: string;

  /** `platform` (global, never deleted) or `user` (the caller's workspace). Default `user`. */
  @ApiPropertyOptional({ enum: CLASSIFICATIONS, default: 'user' })
  @IsOptional()
  @IsIn(CLASSIFICATIONS)
  classification?: Classification;
}

/** PUT: the whole spec of the next version (key and classification never change). */
export class ReplaceCatalogToolDto extends ToolSpecDto {}

export class McpBindingResponseDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  server_id: string | null;

  tool_name: string;
}

export class SandboxHttpBindingResponseDto {
  operation: string;

  @ApiProperty({ type: Number, nullable: true })
  timeout_seconds: number | null;
}

export class CatalogToolResponseDto extends CatalogEntryFieldsDto {
  /** The function name agents call: the key without `tool.`. */
  name: string;

  @ApiProperty({ enum: TOOL_TRANSPORTS })
  transport: ToolTransport;

  connection_profile_ref: string;

  /** Null when the tool takes the schema of its MCP server's tool. */
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  input_schema: Record<string, unknown> | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  output_schema: Record<string, unknown> | null;

  @ApiProperty({ type: McpBindingResponseDto, nullable: true })
  mcp: McpBindingResponseDto | null;

  @ApiProperty({ type: SandboxHttpBindingResponseDto, nullable: true })
  sandbox_http: SandboxHttpBindingResponseDto | null;

  online_only: boolean;
}

export class CatalogToolPageDto {
  @ApiProperty({ type: [CatalogToolResponseDto] })
  data: CatalogToolResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}
