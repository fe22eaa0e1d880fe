import type { JSONSchemaType } from 'ajv';

/**
 * The event types of the session log and the JSON Schema of each payload. They are published in
 * the OpenAPI document (components `EventPayload_<type>`), validated on every append, and read
 * by replay, analysis and the training-data pipeline. Custom events use a namespaced type
 * `<namespace>/<name>` (e.g. `acme/checkout_started`) and any JSON object as payload.
 */
type Schema = Record<string, unknown>;

const anyJson: Schema = {};
const callId: Schema = { type: 'string', minLength: 1, maxLength: 200, description: 'Pairs a call with its result' };
const usage: Schema = {
  type: 'object',
  properties: {
    input_tokens: { type: 'integer', minimum: 0 },
    output_tokens: { type: 'integer', minimum: 0 },
    total_tokens: { type: 'integer', minimum: 0 },
  },
};

export const EVENT_PAYLOAD_SCHEMAS: Record<string, Schema> = {
  'session.start': {
    type: 'object',
    description: 'The agent started working; inputs and run settings.',
    properties: { input: anyJson, metadata: { type: 'object' } },
  },
  'session.end': {
    type: 'object',
    description: 'The run is over: it completed or failed. Sets the session status.',
    required: ['status'],
    properties: {
      status: { type: 'string', enum: ['completed', 'failed'] },
      output: anyJson,
      error: { type: 'string', maxLength: 10000 },
    },
  },
  step: {
    type: 'object',
    description: 'A named step of the agent loop.',
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 500 },
      index: { type: 'integer', minimum: 0 },
      input: anyJson,
      output: anyJson,
    },
  },
  'llm.call': {
    type: 'object',
    description: 'A request to a language model.',
    required: ['call_id', 'model'],
    properties: {
      call_id: callId,
      model: { type: 'string', minLength: 1, maxLength: 200 },
      messages: { type: 'array', items: { type: 'object' } },
      prompt: { type: 'string' },
      parameters: { type: 'object' },
      tools: { type: 'array', items: { type: 'object' } },
    },
  },
  'llm.result': {
    type: 'object',
    description: "A language model's answer, with token use and cost.",
    required: ['call_id'],
    properties: {
      call_id: callId,
      model: { type: 'string', maxLength: 200 },
      message: { type: 'object' },
      output: anyJson,
      usage,
      cost_usd: { type: 'number', minimum: 0 },
      latency_ms: { type: 'number', minimum: 0 },
      finish_reason: { type: 'string', maxLength: 100 },
    },
  },
  'tool.call': {
    type: 'object',
    description: 'The agent calls a tool.',
    required: ['call_id', 'tool', 'arguments'],
    properties: {
      call_id: callId,
      tool: { type: 'string', minLength: 1, maxLength: 200 },
      arguments: { type: 'object' },
    },
  },
  'tool.result': {
    type: 'object',
    description: "A tool's result: `ok` with output, or `error` with the error.",
    required: ['call_id', 'status'],
    properties: {
      call_id: callId,
      tool: { type: 'string', maxLength: 200 },
      status: { type: 'string', enum: ['ok', 'error'] },
      output: anyJson,
      error: { type: 'string', maxLength: 10000 },
      error_class: { type: 'string', maxLength: 200 },
      latency_ms: { type: 'number', minimum: 0 },
      attempt: { type: 'integer', minimum: 1 },
    },
  },
  message: {
    type: 'object',
    description: 'A message in the conversation (user, assistant, system, operator).',
    required: ['role', 'content'],
    properties: {
      role: { type: 'string', enum: ['user', 'assistant', 'system', 'operator'] },
      content: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }] },
    },
  },
  question: {
    type: 'object',
    description: 'The agent asks a human; answered by an `answer` event.',
    required: ['question_id', 'text'],
    properties: {
      question_id: { type: 'string', minLength: 1, maxLength: 200 },
      text: { type: 'string', minLength: 1, maxLength: 20000 },
      options: { type: 'array', items: { type: 'string' }, maxItems: 50 },
    },
  },
  answer: {
    type: 'object',
    description: "An operator's answer to a question (appended by POST /api/traces/{id}/answers).",
    required: ['question_id', 'text'],
    properties: {
      question_id: { type: 'string', minLength: 1, maxLength: 200 },
      text: { type: 'string', minLength: 1, maxLength: 20000 },
      answered_by: { type: 'string' },
    },
  },
  feedback: {
    type: 'object',
    description: 'A judgement of the run or of one event: a score or thumbs, and a comment.',
    properties: {
      score: { type: 'number', minimum: -1, maximum: 1 },
      thumbs: { type: 'string', enum: ['up', 'down'] },
      comment: { type: 'string', maxLength: 20000 },
      target_seq: { type: 'integer', minimum: 1 },
      key: { type: 'string', maxLength: 200 },
      given_by: { type: 'string' },
    },
  },
  error: {
    type: 'object',
    description: 'An error the agent met.',
    required: ['message'],
    properties: {
      message: { type: 'string', minLength: 1, maxLength: 20000 },
      kind: { type: 'string', maxLength: 200 },
      retryable: { type: 'boolean' },
      attempt: { type: 'integer', minimum: 1 },
      stack: { type: 'string', maxLength: 50000 },
    },
  },
  'run.start': {
    type: 'object',
    description: 'A run (LangSmith run or OpenTelemetry span) started: its place in the trace tree and inputs.',
    required: ['run_id', 'name', 'run_type'],
    properties: {
      run_id: { type: 'string', format: 'uuid' },
      parent_run_id: { type: 'string', format: 'uuid', nullable: true },
      trace_id: { type: 'string', format: 'uuid' },
      name: { type: 'string', maxLength: 1000 },
      run_type: { type: 'string', maxLength: 50 },
      start_time: { type: 'string' },
      inputs: anyJson,
      tags: { type: 'array', items: { type: 'string' } },
      metadata: { type: 'object' },
    },
  },
  'run.end': {
    type: 'object',
    description: 'A run ended: completed with outputs, or failed with an error.',
    required: ['run_id', 'status'],
    properties: {
      run_id: { type: 'string', format: 'uuid' },
      run_type: { type: 'string', maxLength: 50 },
      name: { type: 'string', maxLength: 1000 },
      status: { type: 'string', enum: ['completed', 'failed'] },
      end_time: { type: 'string' },
      duration_ms: { type: 'number', minimum: 0 },
      outputs: anyJson,
      error: { type: 'string' },
      usage,
    },
  },
  artifact: {
    type: 'object',
    description: 'A replay, screenshot or file kept in private object storage (never a URL).',
    required: ['artifact_id', 'storage_path'],
    properties: {
      artifact_id: { type: 'string', format: 'uuid' },
      storage_path: { type: 'string', minLength: 1 },
      kind: { type: 'string', enum: ['replay', 'screenshot', 'file'] },
      content_type: { type: 'string' },
      size: { type: 'integer', minimum: 0 },
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    },
  },
};

export const BUILT_IN_EVENT_TYPES = Object.keys(EVENT_PAYLOAD_SCHEMAS);

/** `<namespace>/<name>`: lower-case namespace, then a name of letters, digits, `.`, `_`, `-`. */
export const CUSTOM_EVENT_TYPE = /^[a-z][a-z0-9_-]{0,62}\/[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const CUSTOM_EVENT_PAYLOAD_SCHEMA: Schema = {
  type: 'object',
  description: 'Payload of a namespaced custom event `<namespace>/<name>`: any JSON object.',
};

export type UnknownSchema = JSONSchemaType<unknown>;
