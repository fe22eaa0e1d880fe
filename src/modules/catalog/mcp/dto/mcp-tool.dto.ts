import { ApiProperty, ApiPropertyOptional, type SchemaObject } from '@nestjs/swagger';
import { IsBooleanString, IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { MCP_TOOL_NAME_PATTERN } from '../../catalog.constants';
import { MAX_TOOL_DESCRIPTION_CHARS } from '../tools-list.parser';

const NAME_MESSAGE = 'name must be 1-128 characters of A-Z, a-z, 0-9, _, - and .';
const SCHEMA_EXAMPLE = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

export class CreateMcpToolDto {
  /** Unique on the server; the name the MCP server's tools/list gives. */
  @ApiProperty({ example: 'get_weather', pattern: MCP_TOOL_NAME_PATTERN.source })
  @Matches(MCP_TOOL_NAME_PATTERN, { message: NAME_MESSAGE })
  name: string;

  @IsOptional()
  @IsString()
  @Length(0, 512)
  title?: string | null;

  @IsOptional()
  @IsString()
  @Length(0, MAX_TOOL_DESCRIPTION_CHARS)
  description?: string | null;

  /** JSON Schema of the arguments (object root), validated. */
  @ApiProperty({ type: 'object', additionalProperties: true, example: SCHEMA_EXAMPLE })
  @IsObject()
  input_schema: Record<string, unknown>;

  /** JSON Schema of the structured result (object root), validated. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  @IsOptional()
  @IsObject()
  output_schema?: Record<string, unknown> | null;

  /** MCP tool annotations (readOnlyHint, destructiveHint, idempotentHint, openWorldHint, title). */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  annotations?: Record<string, unknown>;
}

/** Fields left out stay as they are; `null` clears title, description or output schema. */
export class UpdateMcpToolDto {
  @ApiPropertyOptional({ example: 'get_weather', pattern: MCP_TOOL_NAME_PATTERN.source })
  @IsOptional()
  @Matches(MCP_TOOL_NAME_PATTERN, { message: NAME_MESSAGE })
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(0, 512)
  title?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(0, MAX_TOOL_DESCRIPTION_CHARS)
  description?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  input_schema?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  @IsOptional()
  @IsObject()
  output_schema?: Record<string, unknown> | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  annotations?: Record<string, unknown>;
}

export class ListMcpToolsQueryDto extends PageQueryDto {}

export class ImportMcpToolsQueryDto {
  /**
   * `true`: also delete the server's tools the list leaves out (refused for a partial list, one
   * with `nextCursor`, and for tools catalog tools reference).
   */
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false' })
  @IsOptional()
  @IsBooleanString()
  prune?: string;
}

export class McpToolResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  server_id: string;

  name: string;

  @ApiProperty({ type: String, nullable: true })
  title: string | null;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  input_schema: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  output_schema: Record<string, unknown> | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  annotations: Record<string, unknown>;

  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updated_at: string;
}

export class McpToolPageDto {
  @ApiProperty({ type: [McpToolResponseDto] })
  data: McpToolResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}

export const IMPORT_OUTCOMES = ['created', 'updated', 'unchanged', 'removed'] as const;
export type ImportOutcome = (typeof IMPORT_OUTCOMES)[number];

export class ImportedToolDto {
  name: string;

  @ApiProperty({ enum: IMPORT_OUTCOMES })
  outcome: ImportOutcome;
}

export class ImportMcpToolsResponseDto {
  created: number;

  updated: number;

  unchanged: number;

  /** Tools deleted because the list left them out (only with `prune=true`). */
  removed: number;

  /** The list's `nextCursor`: more pages remain on the server; import them too. */
  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;

  @ApiProperty({ type: [ImportedToolDto] })
  tools: ImportedToolDto[];
}

/** The MCP `tools/list` result (`ListToolsResult`), bare or in its JSON-RPC response envelope. */
export const TOOLS_LIST_BODY_SCHEMA: SchemaObject = {
  oneOf: [
    {
      type: 'object',
      required: ['tools'],
      properties: {
        tools: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'inputSchema'],
            properties: {
              name: { type: 'string' },
              title: { type: 'string' },
              description: { type: 'string' },
              inputSchema: { type: 'object', additionalProperties: true },
              outputSchema: { type: 'object', additionalProperties: true },
              annotations: { type: 'object', additionalProperties: true },
            },
          },
        },
        nextCursor: { type: 'string' },
      },
    },
    {
      type: 'object',
      required: ['jsonrpc', 'id', 'result'],
      properties: {
        jsonrpc: { type: 'string', enum: ['2.0'] },
        id: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
        result: { type: 'object', additionalProperties: true },
      },
    },
  ],
};
