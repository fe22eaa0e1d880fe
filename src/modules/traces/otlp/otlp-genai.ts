import { RUN_TYPES, type RunType } from 'src/modules/traces/runs/runs.types';
import type { OtlpAttributes, OtlpSpan, OtlpValue } from './otlp.types';
import {
  asRecord,
  isRecord,
  isRecordList,
  messageList,
  messagesFromEvents,
  parseJsonish,
  setOwn,
  text,
  unflatten,
  unwrapOpenInference,
} from './otlp-content';

/**
 * What a span says about an AI call, read from the conventions found in the wild:
 * - OpenTelemetry GenAI semantic conventions: `gen_ai.operation.name`, `gen_ai.request.model`,
 *   `gen_ai.response.model`, `gen_ai.usage.*`, `gen_ai.input.messages`/`gen_ai.output.messages`
 *   (JSON), `gen_ai.system_instructions`, `gen_ai.tool.*`, the legacy indexed
 *   `gen_ai.prompt.<i>.*`/`gen_ai.completion.<i>.*`, and the event forms (`gen_ai.user.message`,
 *   `gen_ai.system.message`, `gen_ai.assistant.message`, `gen_ai.tool.message`, `gen_ai.choice`,
 *   `gen_ai.content.prompt`/`gen_ai.content.completion`,
 *   `gen_ai.client.inference.operation.details`);
 * - OpenInference: `openinference.span.kind`, `input.value`/`output.value` (+ `*.mime_type`),
 *   `llm.input_messages.<i>.message.*`, `llm.output_messages.<i>.message.*`, `llm.model_name`,
 *   `llm.token_count.*`, `llm.invocation_parameters`, `tool.name`;
 * - the LangSmith SDK's OTLP mode: `langsmith.span.kind`, `langsmith.trace.name`,
 *   `langsmith.metadata.*`, `langsmith.span.tags`, `gen_ai.prompt`/`gen_ai.completion` holding
 *   the run's inputs/outputs as JSON, `langsmith.usage_metadata`;
 * - OpenLLMetry (Traceloop): `llm.request.type`, `traceloop.span.kind`.
 * Pure functions; the first source present wins, in the order each function lists.
 */

export interface TokenUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
}

export interface GenAiFacts {
  runType: RunType;
  inputs: Record<string, unknown> | null;
  outputs: Record<string, unknown> | null;
  inputMessages: Record<string, unknown>[] | null;
  outputMessages: Record<string, unknown>[] | null;
  requestModel: string | null;
  responseModel: string | null;
  provider: string | null;
  usage: TokenUsage | null;
  finishReason: string | null;
  parameters: Record<string, unknown> | null;
  toolDefinitions: Record<string, unknown>[] | null;
  toolName: string | null;
  toolCallId: string | null;
  /** Attribute keys whose content became `inputs`/`outputs`/metadata (not repeated elsewhere). */
  consumedAttributes: Set<string>;
  /** Indices of span events whose content became messages. */
  consumedEvents: Set<number>;
}

function runTypeOf(a: OtlpAttributes): RunType {
  const ls = text(a['langsmith.span.kind'])?.toLowerCase();
  if (ls && (RUN_TYPES as readonly string[]).includes(ls)) return ls as RunType;
  switch (text(a['gen_ai.operation.name'])) {
    case 'chat':
    case 'text_completion':
    case 'generate_content':
      return 'llm';
    case 'embeddings':
      return 'embedding';
    case 'execute_tool':
      return 'tool';
    case 'retrieval':
      return 'retriever';
    case 'invoke_agent':
    case 'create_agent':
      return 'chain';
    default:
      break;
  }
  switch (text(a['openinference.span.kind'])?.toUpperCase()) {
    case 'LLM':
      return 'llm';
    case 'TOOL':
      return 'tool';
    case 'RETRIEVER':
    case 'RERANKER':
      return 'retriever';
    case 'EMBEDDING':
      return 'embedding';
    case 'PROMPT':
      return 'prompt';
    case 'CHAIN':
    case 'AGENT':
    case 'GUARDRAIL':
    case 'EVALUATOR':
      return 'chain';
    default:
      break;
  }
  switch (text(a['llm.request.type'])) {
    case 'chat':
    case 'completion':
      return 'llm';
    case 'embedding':
      return 'embedding';
    default:
      break;
  }
  if (text(a['traceloop.span.kind']) === 'tool') return 'tool';
  return 'chain';
}

function tokenCount(v: OtlpValue | undefined): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function usageOf(a: OtlpAttributes): TokenUsage | null {
  const ls = parseJsonish(a['langsmith.usage_metadata']);
  const lsUsage = isRecord(ls) ? ls : {};
  const first = (...values: unknown[]) => {
    for (const v of values) {
      const n = tokenCount(v as OtlpValue | undefined);
      if (n !== undefined) return n;
    }
    return undefined;
  };
  const input = first(
    a['gen_ai.usage.input_tokens'],
    a['gen_ai.usage.prompt_tokens'],
    a['llm.token_count.prompt'],
    a['llm.usage.prompt_tokens'],
    lsUsage.input_tokens,
  );
  const output = first(
    a['gen_ai.usage.output_tokens'],
    a['gen_ai.usage.completion_tokens'],
    a['llm.token_count.completion'],
    a['llm.usage.completion_tokens'],
    lsUsage.output_tokens,
  );
  let total = first(
    a['gen_ai.usage.total_tokens'],
    a['llm.token_count.total'],
    a['llm.usage.total_tokens'],
    lsUsage.total_tokens,
  );
  if (total === undefined && input !== undefined && output !== undefined) total = input + output;
  if (input === undefined && output === undefined && total === undefined) return null;
  return {
    ...(input !== undefined ? { input_tokens: input } : {}),
    ...(output !== undefined ? { output_tokens: output } : {}),
    ...(total !== undefined ? { total_tokens: total } : {}),
  };
}

function finishReasonOf(a: OtlpAttributes, outputMessages: Record<string, unknown>[] | null): string | null {
  const reasons = parseJsonish(a['gen_ai.response.finish_reasons']);
  if (Array.isArray(reasons) && typeof reasons[0] === 'string') return reasons[0];
  if (typeof reasons === 'string' && reasons.length > 0) return reasons.split(',')[0].trim();
  const fromMessage = outputMessages?.find((m) => typeof m.finish_reason === 'string')?.finish_reason;
  return typeof fromMessage === 'string' ? fromMessage : null;
}

const REQUEST_PARAMETERS = [
  'temperature',
  'max_tokens',
  'top_p',
  'top_k',
  'frequency_penalty',
  'presence_penalty',
  'stop_sequences',
  'seed',
  'choice.count',
  'encoding_formats',
];

function parametersOf(a: OtlpAttributes): Record<string, unknown> | null {
  const params: Record<string, unknown> = {};
  const oi = parseJsonish(a['llm.invocation_parameters']);
  if (isRecord(oi)) Object.assign(params, oi);
  for (const name of REQUEST_PARAMETERS) {
    const v = a[`gen_ai.request.${name}`];
    if (v !== undefined) params[name.replace('.', '_')] = v;
  }
  return Object.keys(params).length > 0 ? params : null;
}

function toolDefinitionsOf(a: OtlpAttributes, consumed: Set<string>): Record<string, unknown>[] | null {
  const semconv = parseJsonish(a['gen_ai.tool.definitions']);
  if (isRecordList(semconv)) return semconv;
  const oi = unflatten(a, 'llm.tools');
  if (Array.isArray(oi.value)) {
    const tools = (oi.value as unknown[]).map((t) => {
      const tool = isRecord(t) && isRecord(t.tool) ? t.tool : t;
      const schema = isRecord(tool) ? parseJsonish(tool.json_schema) : undefined;
      return isRecord(schema) ? schema : isRecord(tool) ? tool : { value: tool };
    });
    oi.keys.forEach((k) => consumed.add(k));
    return tools;
  }
  return null;
}

/** A value read from the span and the attribute keys it came from (marked consumed only if used). */
interface Found<T> {
  value: T;
  keys: string[];
}

/** Reads every convention above from one span. */
export function extractGenAi(span: OtlpSpan): GenAiFacts {
  const a = span.attributes;
  const consumed = new Set<string>();
  const consumedEvents = new Set<number>();
  const use = <T>(found: Found<T> | null): T | null => {
    found?.keys.forEach((k) => consumed.add(k));
    return found?.value ?? null;
  };
  const fromKey = <T>(key: string, read: (v: OtlpValue) => T | null): Found<T> | null => {
    const v = a[key];
    const value = v === undefined ? null : read(v);
    return value === null ? null : { value, keys: [key] };
  };
  const fromTree = <T>(prefix: string, read: (v: unknown) => T | null): Found<T> | null => {
    const { value, keys } = unflatten(a, prefix);
    const read_ = keys.length > 0 ? read(value) : null;
    return read_ === null ? null : { value: read_, keys };
  };
  const recordList = (v: unknown) => (isRecordList(v) ? v : null);
  const fromEvents = messagesFromEvents(span, consumedEvents);

  // A whole input/output value (parsed when it is JSON, per its mime type when it has one).
  const value = (key: string): Found<unknown> | null => {
    if (a[key] === undefined) return null;
    const mimeKey = key.endsWith('.value') ? key.replace(/\.value$/, '.mime_type') : null;
    const mime = mimeKey ? text(a[mimeKey]) : null;
    const raw = a[key];
    return {
      value: mime && !mime.includes('json') ? raw : parseJsonish(raw),
      keys: mime && mimeKey ? [key, mimeKey] : [key],
    };
  };
  const inputValue = value('input.value') ?? value('gen_ai.prompt') ?? value('gen_ai.tool.call.arguments');
  const outputValue = value('output.value') ?? value('gen_ai.completion') ?? value('gen_ai.tool.call.result');

  // Messages: GenAI JSON, OpenInference, legacy indexed GenAI, then events (already consumed).
  const inputMessagesFound =
    fromKey('gen_ai.input.messages', messageList) ??
    fromTree('llm.input_messages', unwrapOpenInference) ??
    fromTree('gen_ai.prompt', recordList);
  const outputMessagesFound =
    fromKey('gen_ai.output.messages', messageList) ??
    fromTree('llm.output_messages', unwrapOpenInference) ??
    fromTree('gen_ai.completion', recordList);
  const inputMessages = inputMessagesFound?.value ?? fromEvents.input ?? messageList(fromEvents.prompt);
  const outputMessages = outputMessagesFound?.value ?? fromEvents.output ?? messageList(fromEvents.completion);

  // A value wins; messages join it unless it has its own (then their attributes stay kept).
  let inputs = asRecord(use(inputValue) ?? (inputMessages ? undefined : fromEvents.prompt), 'input');
  if (inputMessages && !(inputs && 'messages' in inputs)) {
    use(inputMessagesFound);
    inputs = { ...(inputs ?? {}), messages: inputMessages };
  }
  const systemInstructions = use(fromKey('gen_ai.system_instructions', (v) => parseJsonish(v) ?? null));
  if (systemInstructions !== null) inputs = { ...(inputs ?? {}), system_instructions: systemInstructions };

  let outputs = asRecord(use(outputValue) ?? (outputMessages ? undefined : fromEvents.completion), 'output');
  if (outputMessages && !(outputs && 'messages' in outputs)) {
    use(outputMessagesFound);
    outputs = { ...(outputs ?? {}), messages: outputMessages };
  }

  for (const key of Object.keys(a)) if (key.startsWith('langsmith.metadata.')) consumed.add(key);

  const toolCallId = text(a['gen_ai.tool.call.id']) ?? text(a['tool_call.id']);
  return {
    runType: runTypeOf(a),
    inputs,
    outputs,
    inputMessages,
    outputMessages,
    requestModel: text(a['gen_ai.request.model']) ?? text(a['llm.model_name']) ?? text(a['llm.request.model']),
    responseModel: text(a['gen_ai.response.model']) ?? text(a['llm.model_name']) ?? text(a['llm.response.model']),
    provider:
      text(a['gen_ai.provider.name']) ?? text(a['gen_ai.system']) ?? text(a['llm.provider']) ?? text(a['llm.system']),
    usage: usageOf(a),
    finishReason: finishReasonOf(a, outputMessages),
    parameters: parametersOf(a),
    toolDefinitions: toolDefinitionsOf(a, consumed),
    toolName: text(a['gen_ai.tool.name']) ?? text(a['tool.name']),
    toolCallId,
    consumedAttributes: consumed,
    consumedEvents,
  };
}

/** `langsmith.metadata.<key>` attributes as metadata (values that hold JSON are parsed). */
export function langsmithMetadataOf(a: OtlpAttributes): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) {
    if (k.startsWith('langsmith.metadata.')) setOwn(out, k.slice('langsmith.metadata.'.length), parseJsonish(v));
  }
  return out;
}

/** Tags: LangSmith's comma-joined `langsmith.span.tags`, OpenInference's `tag.tags` list. */
export function tagsOf(a: OtlpAttributes): string[] {
  const tags: string[] = [];
  const ls = a['langsmith.span.tags'];
  if (typeof ls === 'string') tags.push(...ls.split(',').map((t) => t.trim()));
  if (Array.isArray(ls)) tags.push(...ls.filter((t): t is string => typeof t === 'string'));
  const oi = a['tag.tags'];
  if (Array.isArray(oi)) tags.push(...oi.filter((t): t is string => typeof t === 'string'));
  return [...new Set(tags.filter((t) => t.length > 0))];
}
