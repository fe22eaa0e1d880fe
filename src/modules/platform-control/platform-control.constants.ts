/** The platform functions a deployment profile binds to a provider instance. */
export const CAPABILITIES = [
  'llm_inference',
  'embeddings',
  'vector_store',
  'mcp_runtime',
  'sandbox_execution',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** Capabilities whose bindings carry ModelOps managed models as resources. */
export const MODEL_CAPABILITIES: readonly Capability[] = ['llm_inference', 'embeddings'];
export type ModelCapability = 'llm_inference' | 'embeddings';

export const PROVIDER_ORIGINS = ['local', 'cloud'] as const;
export type ProviderOrigin = (typeof PROVIDER_ORIGINS)[number];

/** Which backend client (adapter) speaks to a family's instances. */
export const ADAPTER_KINDS = ['openai_compatible', 'qdrant', 'weaviate', 'pgvector', 'mcp_gateway', 'sandbox'] as const;
export type AdapterKind = (typeof ADAPTER_KINDS)[number];

export interface CapabilityDefinition {
  key: Capability;
  display_name: string;
  description: string;
  /** A deployment cannot be activated without a provider for it. */
  required: boolean;
}

export const CAPABILITY_DEFINITIONS: readonly CapabilityDefinition[] = [
  {
    key: 'llm_inference',
    display_name: 'LLM inference',
    description: 'Chat and text generation through an OpenAI-compatible runtime',
    required: true,
  },
  {
    key: 'embeddings',
    display_name: 'Embeddings',
    description: 'Text embeddings through an OpenAI-compatible runtime',
    required: true,
  },
  {
    key: 'vector_store',
    display_name: 'Vector store',
    description: 'Indexes of vectors: ensure, upsert, query and delete',
    required: true,
  },
  {
    key: 'mcp_runtime',
    display_name: 'MCP runtime',
    description: 'The MCP gateway agents reach their tools through',
    required: false,
  },
  {
    key: 'sandbox_execution',
    display_name: 'Sandbox execution',
    description: 'An isolated code-execution sandbox for agent tools',
    required: false,
  },
];

export const REQUIRED_CAPABILITIES: readonly Capability[] = CAPABILITY_DEFINITIONS.filter((c) => c.required).map(
  (c) => c.key,
);

/** Secret references resolve through ModelOps saved credentials only. */
export const CREDENTIAL_REF_PREFIX = 'modelops://credential/';

export const RUNTIME_MODES = ['online', 'offline'] as const;
export type RuntimeMode = (typeof RUNTIME_MODES)[number];

export const DEFAULT_PROVIDER_TIMEOUT_MS = 30_000;
export const MIN_PROVIDER_TIMEOUT_MS = 50;
export const MAX_PROVIDER_TIMEOUT_MS = 600_000;
/** Most bytes of an upstream error body kept (after secret scrubbing) in a problem detail. */
export const UPSTREAM_DETAIL_MAX_CHARS = 300;
/** Most documents one upsert or delete may carry. */
export const MAX_VECTOR_BATCH = 1000;
/** Largest vector dimension accepted by the PostgreSQL-backed store. */
export const MAX_VECTOR_DIMENSION = 8192;
