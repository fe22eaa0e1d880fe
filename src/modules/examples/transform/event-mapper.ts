import { canonicalJson } from 'src/modules/sessions/events/event-content';

/** One event of the session log, as the transformation reads it. */
export interface SessionEventRecord {
  seq: number;
  subSeq: number;
  type: string;
  payload: Record<string, unknown>;
}

/**
 * The event types that carry conversation; the others (steps, errors, runs, feedback, artifacts,
 * custom events, session.end) say how the run went, not what was said, and are not read.
 */
export const CONVERSATION_EVENT_TYPES = [
  'session.start',
  'message',
  'question',
  'answer',
  'llm.call',
  'llm.result',
  'tool.call',
  'tool.result',
];

/** A tool call as the events tell it; `arguments` is canonical JSON text, or null when unusable. */
export interface ToolCallItem {
  id: string;
  name: string;
  arguments: string | null;
}

/** What one event contributes to the conversation, before turns are assembled. */
export type ConversationItem =
  | { kind: 'system'; content: string }
  | { kind: 'user'; content: string }
  | { kind: 'assistant'; content: string | null; calls: ToolCallItem[] }
  | { kind: 'tool_call'; call: ToolCallItem }
  | { kind: 'tool_result'; callId: string; failed: boolean; content: string; fromPrompt: boolean }
  /** An LLM request: its system prompt and what it adds after the last assistant message. */
  | { kind: 'prompt'; system: string | null; tail: ConversationItem[] }
  | { kind: 'skip'; reason: string };

/** Applied to every text and JSON value before it enters a message (PII redaction, or nothing). */
export interface TextFilter {
  redact(text: string): string;
  redactDeep(value: unknown): unknown;
}

export const NO_FILTER: TextFilter = { redact: (text) => text, redactDeep: (value) => value };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

/** Text of a message content: a string, or the text parts of an array (`text` or GenAI `content`). */
function textOf(content: unknown, skipped: string[]): string | null {
  if (typeof content === 'string') return content.length > 0 ? content : null;
  if (!Array.isArray(content)) return null;
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') texts.push(part);
    else if (isObject(part) && (part.type === 'text' || part.type === undefined) && str(part.text ?? part.content)) {
      texts.push((part.text ?? part.content) as string);
    } else if (!(isObject(part) && (part.type === 'tool_call' || part.type === 'tool_use'))) {
      skipped.push('non_text_content_part');
    }
  }
  return texts.length > 0 ? texts.join('\n') : null;
}

/** Tool-call arguments as canonical JSON of an object (strings are parsed), or null. */
function argumentsOf(raw: unknown, filter: TextFilter): string | null {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  return isObject(value) ? canonicalJson(filter.redactDeep(value)) : null;
}

/**
 * The tool calls of a model's answer, whatever the SDK wrote: OpenAI `tool_calls`
 * (`{id, function: {name, arguments}}`), GenAI semantic-convention parts
 * (`{type: 'tool_call', id, name, arguments}`) or Anthropic blocks (`{type: 'tool_use', id, name,
 * input}`). A call without an id gets `call_<seq>_<n>`, so rebuilding gives the same id.
 */
function toolCallsOf(message: Json, seq: number, filter: TextFilter): ToolCallItem[] {
  const raw: { id: unknown; name: unknown; args: unknown }[] = [];
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isObject(call)) continue;
      const fn = isObject(call.function) ? call.function : call;
      raw.push({ id: call.id, name: fn.name, args: fn.arguments ?? fn.input ?? {} });
    }
  }
  for (const list of [message.content, message.parts]) {
    if (!Array.isArray(list)) continue;
    for (const part of list) {
      if (isObject(part) && (part.type === 'tool_call' || part.type === 'tool_use')) {
        raw.push({ id: part.id, name: part.name, args: part.arguments ?? part.input ?? {} });
      }
    }
  }
  return raw
    .filter((c) => str(c.name) !== null)
    .map((c, n) => ({
      id: str(c.id) ?? `call_${seq}_${n}`,
      name: c.name as string,
      arguments: argumentsOf(c.args, filter),
    }));
}

function assistantOf(message: Json, seq: number, filter: TextFilter, skipped: string[]): ConversationItem | null {
  const text = textOf(message.content ?? message.parts, skipped);
  const calls = toolCallsOf(message, seq, filter);
  if (text === null && calls.length === 0) return null;
  return { kind: 'assistant', content: text === null ? null : filter.redact(text), calls };
}

/** A tool's output as message content: text as it is, anything else as canonical JSON. */
function toolContent(output: unknown, filter: TextFilter): string {
  if (typeof output === 'string') return filter.redact(output);
  return canonicalJson(filter.redactDeep(output ?? null));
}

/** The system prompt and the new input of a request's message list (what follows its last assistant message). */
function promptOf(messages: unknown[], filter: TextFilter, skipped: string[]): ConversationItem {
  let system: string | null = null;
  let lastAssistant = -1;
  messages.forEach((m, i) => {
    if (!isObject(m)) return;
    if (m.role === 'assistant' || m.role === 'ai' || m.role === 'model') lastAssistant = i;
    if (system === null && m.role === 'system') system = textOf(m.content ?? m.parts, skipped);
  });
  const tail: ConversationItem[] = [];
  for (const m of messages.slice(lastAssistant + 1)) {
    if (!isObject(m)) continue;
    if (m.role === 'user' || m.role === 'human') {
      const text = textOf(m.content ?? m.parts, skipped);
      if (text !== null) tail.push({ kind: 'user', content: filter.redact(text) });
    } else if (m.role === 'tool' && str(m.tool_call_id)) {
      const text = textOf(m.content ?? m.parts, skipped);
      tail.push({
        kind: 'tool_result',
        callId: m.tool_call_id as string,
        failed: false,
        content: text === null ? toolContent(m.content ?? null, filter) : filter.redact(text),
        fromPrompt: true,
      });
    }
  }
  return { kind: 'prompt', system: system === null ? null : filter.redact(system), tail };
}

/** The task a session started with: its input when that is text, or the text field of an input object. */
const INPUT_TEXT_FIELDS = ['prompt', 'message', 'query', 'question', 'input', 'text'];

function sessionStartItems(payload: Json, filter: TextFilter, skipped: string[]): ConversationItem[] {
  const metadata = isObject(payload.metadata) ? payload.metadata : {};
  const input = payload.input;
  const items: ConversationItem[] = [];
  const system = str(metadata.system_prompt) ?? (isObject(input) ? str(input.system_prompt) : null);
  if (system !== null) items.push({ kind: 'system', content: filter.redact(system) });
  if (isObject(input) && Array.isArray(input.messages)) {
    items.push(promptOf(input.messages, filter, skipped));
  } else {
    const text = typeof input === 'string' ? str(input) : isObject(input) ? firstText(input) : null;
    if (text !== null) items.push({ kind: 'user', content: filter.redact(text) });
  }
  return items;
}

function firstText(input: Json): string | null {
  for (const field of INPUT_TEXT_FIELDS) {
    const text = str(input[field]);
    if (text !== null) return text;
  }
  return null;
}

/**
 * What one event adds to the conversation (pure; the same event always maps the same way):
 * - `session.start`: the system prompt (`metadata.system_prompt` or `input.system_prompt`) and
 *   the task (`input` text, `input.prompt|message|query|question|input|text`, or `input.messages`);
 * - `message`: by role (`operator` speaks as the user);
 * - `question` (the agent asks a human): assistant; `answer` (the human replies): user;
 * - `llm.call`: a prompt (system prompt, new user input, tool results) the assembler uses to fill
 *   what the other events did not log; `llm.result`: the assistant message with its tool calls;
 * - `tool.call` / `tool.result`: a call of the current assistant turn and its result.
 * Text parts are joined with newlines; other parts (images, audio) are left out and counted.
 */
export function mapEvent(event: SessionEventRecord, filter: TextFilter = NO_FILTER): ConversationItem[] {
  const p = event.payload;
  const skipped: string[] = [];
  const items: ConversationItem[] = [];
  switch (event.type) {
    case 'session.start':
      items.push(...sessionStartItems(p, filter, skipped));
      break;
    case 'message': {
      const text = textOf(p.content, skipped);
      if (text === null) skipped.push('empty_message');
      else if (p.role === 'system') items.push({ kind: 'system', content: filter.redact(text) });
      else if (p.role === 'assistant') items.push({ kind: 'assistant', content: filter.redact(text), calls: [] });
      else items.push({ kind: 'user', content: filter.redact(text) });
      break;
    }
    case 'question':
      if (str(p.text)) items.push({ kind: 'assistant', content: filter.redact(p.text as string), calls: [] });
      break;
    case 'answer':
      if (str(p.text)) items.push({ kind: 'user', content: filter.redact(p.text as string) });
      break;
    case 'llm.call':
      if (Array.isArray(p.messages)) items.push(promptOf(p.messages, filter, skipped));
      else if (str(p.prompt)) {
        items.push({
          kind: 'prompt',
          system: null,
          tail: [{ kind: 'user', content: filter.redact(p.prompt as string) }],
        });
      }
      break;
    case 'llm.result': {
      const item = isObject(p.message)
        ? assistantOf(p.message, event.seq, filter, skipped)
        : str(p.output)
          ? { kind: 'assistant' as const, content: filter.redact(p.output as string), calls: [] }
          : null;
      if (item) items.push(item);
      else skipped.push('empty_llm_result');
      break;
    }
    case 'tool.call':
      items.push({
        kind: 'tool_call',
        call: { id: String(p.call_id), name: String(p.tool), arguments: argumentsOf(p.arguments, filter) },
      });
      break;
    case 'tool.result': {
      const failed = p.status === 'error';
      const content = failed
        ? canonicalJson(filter.redactDeep({ error: p.error ?? 'error', error_class: p.error_class }))
        : toolContent(p.output, filter);
      items.push({ kind: 'tool_result', callId: String(p.call_id), failed, content, fromPrompt: false });
      break;
    }
    default:
      break;
  }
  return [...items, ...skipped.map((reason) => ({ kind: 'skip' as const, reason }))];
}
