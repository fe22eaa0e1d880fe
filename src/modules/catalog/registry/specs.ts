import { type ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { type FieldError, ValidationAppException } from 'src/common/errors/app.exception';
import type { EntryStatus, ModelSelectionMode, RegistryKind, ToolTransport } from '../catalog.constants';
import { type JsonSchemaObject, invalidJsonSchema, jsonSchemaErrors } from '../schema/json-schema.validator';
import {
  AgentSpecDto,
  type BaseSpecDto,
  type ModelSelectionDto,
  ModelSpecDto,
  ToolSpecDto,
  type WorkflowSettingsDto,
} from './dto/specs.dto';

/** Stored specs (`registry_versions.spec`): normalized, every optional field present. */
export interface ModelSelection {
  mode: ModelSelectionMode;
  model_id: string | null;
  provider: string | null;
  model: string | null;
  parameters: { temperature?: number; top_p?: number; max_tokens?: number };
}

export interface WorkflowSettings {
  max_steps: number;
  step_timeout_seconds: number;
  run_timeout_seconds: number;
  max_retries: number;
  retry_backoff_seconds: number;
  parallel_tool_calls: boolean;
}

interface BaseSpec {
  display_name: string;
  description: string | null;
  status: EntryStatus;
}

export interface AgentSpec extends BaseSpec {
  system_prompt: string;
  model_selection: ModelSelection;
  tool_policy: { allowed_tools: string[] };
  workflow: WorkflowSettings;
}

export interface ToolSpec extends BaseSpec {
  transport: ToolTransport;
  connection_profile_ref: string;
  input_schema: JsonSchemaObject | null;
  output_schema: JsonSchemaObject | null;
  mcp: { server_id: string | null; tool_name: string } | null;
  sandbox_http: { operation: string; timeout_seconds: number | null } | null;
  online_only: boolean;
}

export interface ModelSpec extends BaseSpec {
  model_selection: ModelSelection;
  capabilities: string[];
}

export type AnySpec = AgentSpec | ToolSpec | ModelSpec;

export const WORKFLOW_DEFAULTS: WorkflowSettings = {
  max_steps: 10,
  step_timeout_seconds: 120,
  run_timeout_seconds: 900,
  max_retries: 2,
  retry_backoff_seconds: 2,
  parallel_tool_calls: false,
};

const DTO_OF = { agent: AgentSpecDto, tool: ToolSpecDto, model: ModelSpecDto } as const;

/**
 * A registry spec as posted to `/v1/registry/{kind}` (an opaque object there): validated with
 * the same rules as the typed catalog DTOs, errors named under `field` (e.g. `spec.workflow.max_steps`).
 */
export function parseSpec(kind: RegistryKind, raw: Record<string, unknown>, field = 'spec'): AnySpec {
  const dto = plainToInstance(DTO_OF[kind] as ClassConstructor<object>, raw);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false } });
  if (errors.length > 0) throw new ValidationAppException(flatten(errors, field));
  return normalizeSpec(kind, dto as AgentSpecDto | ToolSpecDto | ModelSpecDto, `${field}.`);
}

/** The stored form of a validated DTO; throws 422 for cross-field rules and invalid JSON Schemas. */
export function normalizeSpec(kind: 'agent', dto: AgentSpecDto, prefix?: string): AgentSpec;
export function normalizeSpec(kind: 'tool', dto: ToolSpecDto, prefix?: string): ToolSpec;
export function normalizeSpec(
  kind: RegistryKind,
  dto: AgentSpecDto | ToolSpecDto | ModelSpecDto,
  prefix?: string,
): AnySpec;
export function normalizeSpec(
  kind: RegistryKind,
  dto: AgentSpecDto | ToolSpecDto | ModelSpecDto,
  prefix = '',
): AnySpec {
  switch (kind) {
    case 'agent':
      return normalizeAgent(dto as AgentSpecDto);
    case 'tool':
      return normalizeTool(dto as ToolSpecDto, prefix);
    case 'model':
      return normalizeModel(dto as ModelSpecDto);
  }
}

function base(dto: BaseSpecDto): BaseSpec {
  return { display_name: dto.display_name, description: dto.description ?? null, status: dto.status ?? 'active' };
}

function selection(dto: ModelSelectionDto): ModelSelection {
  const p = dto.parameters ?? {};
  return {
    mode: dto.mode,
    model_id: dto.mode === 'managed_model' ? (dto.model_id ?? null) : null,
    provider: dto.mode === 'provider_model' ? (dto.provider ?? null) : null,
    model: dto.mode === 'provider_model' ? (dto.model ?? null) : null,
    parameters: {
      ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
      ...(p.top_p !== undefined ? { top_p: p.top_p } : {}),
      ...(p.max_tokens !== undefined ? { max_tokens: p.max_tokens } : {}),
    },
  };
}

function workflow(dto: WorkflowSettingsDto | undefined): WorkflowSettings {
  const out = { ...WORKFLOW_DEFAULTS };
  for (const key of Object.keys(out) as (keyof WorkflowSettings)[]) {
    const value = dto?.[key];
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

function normalizeAgent(dto: AgentSpecDto): AgentSpec {
  return {
    ...base(dto),
    system_prompt: dto.system_prompt,
    model_selection: selection(dto.model_selection),
    tool_policy: { allowed_tools: [...(dto.tool_policy?.allowed_tools ?? [])] },
    workflow: workflow(dto.workflow),
  };
}

function normalizeModel(dto: ModelSpecDto): ModelSpec {
  return { ...base(dto), model_selection: selection(dto.model_selection), capabilities: dto.capabilities ?? [] };
}

function normalizeTool(dto: ToolSpecDto, prefix: string): ToolSpec {
  const errors: FieldError[] = [];
  if (dto.transport === 'mcp' && !dto.mcp)
    errors.push({ field: `${prefix}mcp`, message: 'is required for transport mcp' });
  if (dto.transport !== 'mcp' && dto.mcp) errors.push({ field: `${prefix}mcp`, message: 'is only for transport mcp' });
  if (dto.transport === 'sandbox_http' && !dto.sandbox_http) {
    errors.push({ field: `${prefix}sandbox_http`, message: 'is required for transport sandbox_http' });
  }
  if (dto.transport !== 'sandbox_http' && dto.sandbox_http) {
    errors.push({ field: `${prefix}sandbox_http`, message: 'is only for transport sandbox_http' });
  }
  // A tool of a workspace MCP server may take its schema from the MCP tool; every other tool states it.
  if (!dto.input_schema && !(dto.transport === 'mcp' && dto.mcp?.server_id)) {
    errors.push({ field: `${prefix}input_schema`, message: 'is required (JSON Schema of the arguments)' });
  }
  if (errors.length > 0) throw new ValidationAppException(errors);
  const schemaErrors = [
    ...(dto.input_schema ? jsonSchemaErrors(dto.input_schema, `${prefix}input_schema`) : []),
    ...(dto.output_schema ? jsonSchemaErrors(dto.output_schema, `${prefix}output_schema`) : []),
  ];
  if (schemaErrors.length > 0) throw invalidJsonSchema(schemaErrors);
  return {
    ...base(dto),
    transport: dto.transport,
    connection_profile_ref: dto.connection_profile_ref ?? 'default',
    input_schema: dto.input_schema ?? null,
    output_schema: dto.output_schema ?? null,
    mcp: dto.mcp ? { server_id: dto.mcp.server_id ?? null, tool_name: dto.mcp.tool_name } : null,
    sandbox_http: dto.sandbox_http
      ? { operation: dto.sandbox_http.operation, timeout_seconds: dto.sandbox_http.timeout_seconds ?? null }
      : null,
    online_only: dto.online_only ?? false,
  };
}

function flatten(errors: ValidationError[], parent: string): FieldError[] {
  return errors.flatMap((error) => {
    const field = `${parent}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
