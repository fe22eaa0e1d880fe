/** Kinds of registry entries; the typed catalog manages agents and tools, the registry also models. */
export const REGISTRY_KINDS = ['model', 'agent', 'tool'] as const;
export type RegistryKind = (typeof REGISTRY_KINDS)[number];

/** The plural path segment of each kind: `/v1/registry/models`, `/v1/catalog/agents`. */
export const KIND_OF_SEGMENT: Record<string, RegistryKind> = { models: 'model', agents: 'agent', tools: 'tool' };

/**
 * `platform`: global, managed by superadmins, cannot be deleted. `user`: belongs to one
 * workspace (agents also to an owner user) and can be deleted by that owner or a superadmin.
 */
export const CLASSIFICATIONS = ['platform', 'user'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const ENTRY_STATUSES = ['active', 'inactive'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/**
 * `agent.knowledge_chat`, `tool.web_search`: the kind, a dot, then a name that is also a valid
 * OpenAI function name (a tool's function name is its key without `tool.`).
 */
export const REGISTRY_KEY_PATTERN = /^(model|agent|tool)\.[a-z0-9][a-z0-9_-]{0,63}$/;

/** Tool transports of this first phase: the MCP gateway and the sandbox HTTP runner. */
export const TOOL_TRANSPORTS = ['mcp', 'sandbox_http'] as const;
export type ToolTransport = (typeof TOOL_TRANSPORTS)[number];
export const CONNECTION_PROFILE_REFS = ['default'] as const;

export const MODEL_SELECTION_MODES = ['deployment_default', 'managed_model', 'provider_model'] as const;
export type ModelSelectionMode = (typeof MODEL_SELECTION_MODES)[number];

export const MCP_TRANSPORTS = ['stdio', 'sse', 'streamable_http'] as const;
export type McpTransport = (typeof MCP_TRANSPORTS)[number];

/** Suite action names become function names in chat training data: OpenAI's rule. */
export const ACTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** MCP tool names, as the Model Context Protocol recommends them (1-128 of A-Z a-z 0-9 _ - .). */
export const MCP_TOOL_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;

/** Same prefix as ModelOps' credential refs (`secret_ref` in its credential responses). */
export const CREDENTIAL_REF_PREFIX = 'modelops://credential/';
export const CREDENTIAL_REF_PATTERN =
  /^modelops:\/\/credential\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** Header and variable names that carry secrets: they belong in `secret_refs`, never in clear. */
export const SECRET_LOOKING_NAME = /(authorization|cookie|token|secret|password|passwd|api[-_]?key|credential)/i;

/** Bigger schemas are refused: they would be sent with every training record and prompt. */
export const MAX_SCHEMA_BYTES = 64 * 1024;

/** How many referencing rows a 409 names, at most. */
export const MAX_NAMED_REFERENCES = 10;
