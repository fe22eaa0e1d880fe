import { canonicalJson } from 'src/modules/sessions/events/event-content';

/**
 * OpenAI's chat fine-tuning format: a JSONL file whose every line is one training record,
 * `{"messages": [...], "tools": [...]}`. Messages are `system`, `user`, `assistant` (text
 * `content` and/or `tool_calls`, whose `arguments` is a JSON *string*; optional `weight` 0|1
 * says whether to train on it) and `tool` (answers one call by `tool_call_id`). `tools` lists the
 * functions the model may call, `{type: 'function', function: {name, description, parameters}}`.
 */
export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface SystemMessage {
  role: 'system';
  content: string;
}

export interface UserMessage {
  role: 'user';
  content: string;
}

export interface AssistantMessage {
  role: 'assistant';
  content?: string;
  tool_calls?: ChatToolCall[];
}

export interface ToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

/** What the format allows as a function name. */
export const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const FUNCTION_NAME_LENGTH = 64;

/**
 * One message as JSON, keys always in the same order (role first) so that equal messages are
 * equal bytes. `weight` is written only for assistant messages and only when given.
 */
export function messageJson(message: ChatMessage, weight?: 0 | 1): string {
  switch (message.role) {
    case 'system':
    case 'user':
      return JSON.stringify({ role: message.role, content: message.content });
    case 'tool':
      return JSON.stringify({ role: 'tool', tool_call_id: message.tool_call_id, content: message.content });
    case 'assistant': {
      const out: Record<string, unknown> = { role: 'assistant' };
      if (message.content !== undefined) out.content = message.content;
      if (message.tool_calls && message.tool_calls.length > 0) {
        out.tool_calls = message.tool_calls.map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.function.name, arguments: c.function.arguments },
        }));
      }
      if (weight !== undefined) out.weight = weight;
      return JSON.stringify(out);
    }
  }
}

/** The `tools` array as JSON: sorted by name, schemas with sorted keys. */
export function toolsJson(tools: ChatTool[]): string {
  const sorted = [...tools].sort((a, b) =>
    a.function.name < b.function.name ? -1 : a.function.name > b.function.name ? 1 : 0,
  );
  const items = sorted.map((t) => {
    const fn =
      t.function.description !== undefined
        ? `{"name":${JSON.stringify(t.function.name)},"description":${JSON.stringify(t.function.description)},`
        : `{"name":${JSON.stringify(t.function.name)},`;
    return `{"type":"function","function":${fn}"parameters":${canonicalJson(t.function.parameters)}}}`;
  });
  return `[${items.join(',')}]`;
}

/**
 * Function names as the format allows them. Agents name tools freely (`orders.lookup`,
 * `mcp/github:create_issue`); the format allows `[a-zA-Z0-9_-]{1,64}`. Each original name gets
 * one chat name for the whole build: invalid characters become `_`, and a name already taken by
 * another original gets a `_2`, `_3`, ... suffix. The first name to ask wins, so the mapping is
 * the same for the same session.
 */
export class ToolNames {
  private readonly byOriginal = new Map<string, string>();
  private readonly taken = new Set<string>();

  nameOf(original: string): string {
    const known = this.byOriginal.get(original);
    if (known !== undefined) return known;
    const base = original.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, FUNCTION_NAME_LENGTH) || 'tool';
    let name = base;
    for (let n = 2; this.taken.has(name); n++) {
      const suffix = `_${n}`;
      name = `${base.slice(0, FUNCTION_NAME_LENGTH - suffix.length)}${suffix}`;
    }
    this.byOriginal.set(original, name);
    this.taken.add(name);
    return name;
  }

  /** Original names in the order they were first asked for. */
  originals(): string[] {
    return [...this.byOriginal.keys()];
  }
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function isJsonObjectText(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Why one message breaks the format on its own, or null when it is well-formed. */
export function messageProblem(message: ChatMessage): string | null {
  switch (message.role) {
    case 'system':
    case 'user':
      return isNonEmptyString(message.content) ? null : `${message.role} message without content`;
    case 'tool':
      if (!isNonEmptyString(message.tool_call_id)) return 'tool message without tool_call_id';
      return typeof message.content === 'string' ? null : 'tool message without content';
    case 'assistant': {
      const calls = message.tool_calls ?? [];
      if (message.content !== undefined && !isNonEmptyString(message.content)) return 'assistant content is empty';
      if (message.content === undefined && calls.length === 0) return 'assistant message without content or tool_calls';
      const ids = new Set<string>();
      for (const call of calls) {
        if (!isNonEmptyString(call.id) || ids.has(call.id)) return 'tool call id missing or repeated';
        ids.add(call.id);
        if (call.type !== 'function') return 'tool call type is not function';
        if (!FUNCTION_NAME.test(call.function.name)) return `function name ${call.function.name} is not allowed`;
        if (!isJsonObjectText(call.function.arguments)) return 'tool call arguments are not a JSON object string';
      }
      return null;
    }
  }
}
