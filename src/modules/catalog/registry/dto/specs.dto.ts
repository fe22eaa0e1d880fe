import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  CONNECTION_PROFILE_REFS,
  ENTRY_STATUSES,
  type EntryStatus,
  MCP_TOOL_NAME_PATTERN,
  MODEL_SELECTION_MODES,
  type ModelSelectionMode,
  TOOL_TRANSPORTS,
  type ToolTransport,
} from '../../catalog.constants';

const TOOL_KEY = /^tool\.[a-z0-9][a-z0-9_-]{0,63}$/;

/** Sampling defaults recorded with the selection; callers may override per request. */
export class ModelParametersDto {
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number;

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  top_p?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  max_tokens?: number;
}

/**
 * Which model answers: the active deployment's default LLM (`deployment_default`), a ModelOps
 * managed model by id (`managed_model`), or a provider's model by name (`provider_model`).
 */
export class ModelSelectionDto {
  @ApiProperty({ enum: MODEL_SELECTION_MODES })
  @IsIn(MODEL_SELECTION_MODES)
  mode: ModelSelectionMode;

  /** `managed_model`: the ModelOps model id. */
  @ApiPropertyOptional({ format: 'uuid' })
  @ValidateIf((o: ModelSelectionDto) => o.mode === 'managed_model')
  @IsUUID()
  model_id?: string;

  /** `provider_model`: e.g. `openai`. */
  @ApiPropertyOptional({ example: 'openai' })
  @ValidateIf((o: ModelSelectionDto) => o.mode === 'provider_model')
  @IsString()
  @Length(1, 100)
  provider?: string;

  /** `provider_model`: e.g. `gpt-4o-mini`. */
  @ApiPropertyOptional({ example: 'gpt-4o-mini' })
  @ValidateIf((o: ModelSelectionDto) => o.mode === 'provider_model')
  @IsString()
  @Length(1, 200)
  model?: string;

  @ApiPropertyOptional({ type: ModelParametersDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ModelParametersDto)
  parameters?: ModelParametersDto;
}

/** Which catalog tools the agent may call: an allow list of tool keys (nothing else is callable). */
export class ToolPolicyDto {
  @ApiProperty({ type: [String], example: ['tool.web_search'] })
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(TOOL_KEY, { each: true, message: 'each allowed tool must be a catalog tool key such as tool.web_search' })
  allowed_tools: string[];
}

/** How the agent's runs are bounded. Left-out fields take the defaults shown. */
export class WorkflowSettingsDto {
  @ApiPropertyOptional({ default: 10, minimum: 1, maximum: 200 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  max_steps?: number;

  @ApiPropertyOptional({ default: 120, minimum: 1, maximum: 3600 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  step_timeout_seconds?: number;

  @ApiPropertyOptional({ default: 900, minimum: 1, maximum: 86400 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  run_timeout_seconds?: number;

  @ApiPropertyOptional({ default: 2, minimum: 0, maximum: 10 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  max_retries?: number;

  @ApiPropertyOptional({ default: 2, minimum: 0, maximum: 600 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(600)
  retry_backoff_seconds?: number;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  parallel_tool_calls?: boolean;
}

/** Fields every kind's spec shares. */
export class BaseSpecDto {
  @ApiProperty({ example: 'Knowledge chat' })
  @IsString()
  @Length(1, 200)
  display_name: string;

  @IsOptional()
  @IsString()
  @Length(0, 4000)
  description?: string;

  /** Deactivate by publishing a version with `inactive`; platform entries cannot be deleted. */
  @ApiPropertyOptional({ enum: ENTRY_STATUSES, default: 'active' })
  @IsOptional()
  @IsIn(ENTRY_STATUSES)
  status?: EntryStatus;
}

export class AgentSpecDto extends BaseSpecDto {
  @ApiProperty({ example: 'You answer questions from the workspace knowledge base and cite sources.' })
  @IsString()
  @Length(1, 100_000)
  system_prompt: string;

  @ApiProperty({ type: ModelSelectionDto })
  @ValidateNested()
  @Type(() => ModelSelectionDto)
  model_selection: ModelSelectionDto;

  @ApiPropertyOptional({ type: ToolPolicyDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ToolPolicyDto)
  tool_policy?: ToolPolicyDto;

  @ApiPropertyOptional({ type: WorkflowSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => WorkflowSettingsDto)
  workflow?: WorkflowSettingsDto;
}

/** Where an `mcp` tool runs: a tool of a workspace MCP server, or (no server) of the platform MCP gateway. */
export class McpBindingDto {
  /** A workspace MCP server (user tools only); omit for the platform MCP gateway. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  server_id?: string;

  @ApiProperty({ example: 'web_search', pattern: MCP_TOOL_NAME_PATTERN.source })
  @Matches(MCP_TOOL_NAME_PATTERN, { message: 'tool_name must be an MCP tool name' })
  tool_name: string;
}

/** A `sandbox_http` tool: an operation of the sandbox execution runtime. */
export class SandboxHttpBindingDto {
  @ApiProperty({ example: 'python.exec' })
  @Matches(/^[a-z0-9][a-z0-9_.-]{0,99}$/, { message: 'operation must be lower-case letters, digits, _, . and -' })
  operation: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 600 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(600)
  timeout_seconds?: number;
}

export class ToolSpecDto extends BaseSpecDto {
  @ApiProperty({ enum: TOOL_TRANSPORTS })
  @IsIn(TOOL_TRANSPORTS, { message: `transport must be one of ${TOOL_TRANSPORTS.join(', ')}` })
  transport: ToolTransport;

  /** The runtime connection profile; only `default` in this phase. */
  @ApiPropertyOptional({ enum: CONNECTION_PROFILE_REFS, default: 'default' })
  @IsOptional()
  @IsIn(CONNECTION_PROFILE_REFS, { message: 'connection_profile_ref must be default' })
  connection_profile_ref?: string;

  /**
   * JSON Schema of the arguments (object root). Required, except for an `mcp` tool of a
   * workspace server, whose schema is the MCP tool's own unless given here.
   */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  input_schema?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  output_schema?: Record<string, unknown>;

  /** Required for `transport: mcp`. */
  @ApiPropertyOptional({ type: McpBindingDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => McpBindingDto)
  mcp?: McpBindingDto;

  /** Required for `transport: sandbox_http`. */
  @ApiPropertyOptional({ type: SandboxHttpBindingDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SandboxHttpBindingDto)
  sandbox_http?: SandboxHttpBindingDto;

  /** Needs the online runtime profile (e.g. web search). */
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  online_only?: boolean;
}

export class ModelSpecDto extends BaseSpecDto {
  @ApiProperty({ type: ModelSelectionDto })
  @ValidateNested()
  @Type(() => ModelSelectionDto)
  model_selection: ModelSelectionDto;

  @ApiPropertyOptional({ type: [String], example: ['chat', 'tools'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^[a-z0-9_]{1,40}$/, { each: true, message: 'each capability must be a lower-case word' })
  capabilities?: string[];
}
