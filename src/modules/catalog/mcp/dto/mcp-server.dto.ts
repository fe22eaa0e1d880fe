import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Max,
  Min,
} from 'class-validator';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { MCP_TRANSPORTS, type McpTransport } from '../../catalog.constants';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class CreateMcpServerDto {
  /** Unique within the workspace. */
  @ApiProperty({ example: 'orders-mcp' })
  @IsString()
  @Length(1, 200)
  name: string;

  @IsOptional()
  @IsString()
  @Length(0, 4000)
  description?: string | null;

  @ApiProperty({ enum: MCP_TRANSPORTS })
  @IsIn(MCP_TRANSPORTS)
  transport: McpTransport;

  /** Endpoint of an `sse` or `streamable_http` server (required for them, refused for stdio). */
  @ApiPropertyOptional({ example: 'https://mcp.example.com/mcp' })
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  @Length(1, 2048)
  url?: string | null;

  /** Executable of a `stdio` server (required for it, refused otherwise). */
  @ApiPropertyOptional({ example: 'npx' })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  command?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['-y', '@acme/orders-mcp'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(0, 4000, { each: true })
  args?: string[];

  /** Non-secret environment of a stdio server; secrets go in `secret_refs`. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  env?: Record<string, string>;

  /** Non-secret headers of an HTTP server; `Authorization` and the like go in `secret_refs`. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  /**
   * Header (HTTP transports) or environment variable (stdio) name → `modelops://credential/<id>`,
   * a ModelOps credential. Credentials are platform-wide, so only superadmins may set or change these.
   */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', pattern: '^modelops://credential/[0-9a-f-]{36}$' },
    example: { Authorization: 'modelops://credential/00000000-0000-4000-8000-000000000000' },
  })
  @IsOptional()
  @IsObject()
  secret_refs?: Record<string, string>;

  /** Per-request timeout when calling the server. */
  @ApiPropertyOptional({ minimum: 100, maximum: 600000, type: Number, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(600_000)
  timeout_ms?: number | null;
}

/** Fields left out stay as they are; the result is validated as a whole (e.g. a transport change needs its endpoint). */
export class UpdateMcpServerDto {
  @ApiPropertyOptional({ example: 'orders-mcp' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(0, 4000)
  description?: string | null;

  @ApiPropertyOptional({ enum: MCP_TRANSPORTS })
  @IsOptional()
  @IsIn(MCP_TRANSPORTS)
  transport?: McpTransport;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  @Length(1, 2048)
  url?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  command?: string | null;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(0, 4000, { each: true })
  args?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  env?: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  secret_refs?: Record<string, string>;

  @ApiPropertyOptional({ minimum: 100, maximum: 600000, type: Number, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(600_000)
  timeout_ms?: number | null;
}

export class ListMcpServersQueryDto extends PageQueryDto {}

export class McpServerResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id: string;

  name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ enum: MCP_TRANSPORTS })
  transport: McpTransport;

  @ApiProperty({ type: String, nullable: true })
  url: string | null;

  @ApiProperty({ type: String, nullable: true })
  command: string | null;

  @ApiProperty({ type: [String] })
  args: string[];

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  env: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  headers: Record<string, string>;

  /** References only: the secrets stay in ModelOps. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  secret_refs: Record<string, string>;

  @ApiProperty({ type: Number, nullable: true })
  timeout_ms: number | null;

  tool_count: number;

  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updated_at: string;
}

export class McpServerPageDto {
  @ApiProperty({ type: [McpServerResponseDto] })
  data: McpServerResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}
