import type { OtlpAttributes, OtlpEvent, OtlpSpan, OtlpValue } from './otlp.types';

/*
 * Shapes of span content: JSON-in-strings, attributes flattened with indices
 * (`gen_ai.prompt.0.role`), OpenInference wrappers and GenAI message events, turned into plain
 * values and chat messages. Used by otlp-genai.ts, which decides what each convention means.
 */

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const isRecordList = (v: unknown): v is Record<string, unknown>[] => Array.isArray(v) && v.every(isRecord);
export const text = (v: OtlpValue | undefined): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** A string holding JSON (an object or a list) is parsed; anything else is returned as is. */
export function parseJsonish(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return v;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return v;
  }
}

/** A value as a record: objects as they are, anything else under `key`. */
export function asRecord(v: unknown, key: string): Record<string, unknown> | null {
  if (v === undefined || v === null) return null;
  return isRecord(v) ? v : { [key]: v };
}

export function setOwn(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Objects whose keys are all indices become lists (ordered by index). */
export function listify(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(listify);
  if (!isRecord(v)) return v;
  const keys = Object.keys(v);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => listify(v[k]));
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) setOwn(out, k, listify(v[k]));
  return out;
}

/**
 * Flattened attributes under `prefix.` as a tree: `p.0.role`, `p.0.content` → `[{role, content}]`.
 * Returns the keys it read, so the caller can mark them consumed.
 */
export function unflatten(attrs: OtlpAttributes, prefix: string): { value: unknown; keys: string[] } {
  const root: Record<string, unknown> = {};
  const keys = Object.keys(attrs).filter((k) => k.startsWith(`${prefix}.`));
  for (const key of keys) {
    const path = key.slice(prefix.length + 1).split('.');
    let node = root;
    path.forEach((segment, i) => {
      if (i === path.length - 1) {
        if (!isRecord(node[segment])) setOwn(node, segment, attrs[key]);
        return;
      }
      const next = node[segment];
      if (!isRecord(next)) setOwn(node, segment, next === undefined ? {} : { value: next });
      node = node[segment] as Record<string, unknown>;
    });
  }
  return { value: keys.length > 0 ? listify(root) : undefined, keys };
}

/** OpenInference wraps each item (`message`, `tool_call`, `message_content`); unwrap them. */
export function unwrapOpenInference(messages: unknown): Record<string, unknown>[] | null {
  if (!Array.isArray(messages)) return null;
  const unwrap = (v: unknown, key: string) => (isRecord(v) && isRecord(v[key]) ? v[key] : v);
  const out = messages.map((m) => {
    const message = unwrap(m, 'message');
    if (!isRecord(message)) return { content: message };
    const copy = { ...message };
    if (Array.isArray(copy.tool_calls)) copy.tool_calls = copy.tool_calls.map((t) => unwrap(t, 'tool_call'));
    if (Array.isArray(copy.contents)) copy.contents = copy.contents.map((c) => unwrap(c, 'message_content'));
    return copy;
  });
  return out;
}

export function messageList(v: unknown): Record<string, unknown>[] | null {
  const parsed = parseJsonish(v);
  if (isRecordList(parsed)) return parsed;
  if (isRecord(parsed) && isRecordList(parsed.messages)) return parsed.messages;
  return null;
}

export const MESSAGE_EVENTS: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

/** A GenAI message event as a message: role from the event name unless the event says. */
export function eventMessage(event: OtlpEvent, role: string): Record<string, unknown> {
  const a = event.attributes;
  const body = parseJsonish(a['gen_ai.event.content']);
  const message: Record<string, unknown> = isRecord(body) ? { ...body } : {};
  for (const [k, v] of Object.entries(a)) {
    if (k === 'gen_ai.event.content' || k === 'gen_ai.system' || k === 'gen_ai.provider.name') continue;
    setOwn(message, k === 'gen_ai.message.role' ? 'role' : k, parseJsonish(v));
  }
  if (typeof message.role !== 'string') message.role = role;
  return message;
}

export function choiceMessage(event: OtlpEvent): Record<string, unknown> {
  const a = event.attributes;
  const body = parseJsonish(a['gen_ai.event.content']);
  const choice: Record<string, unknown> = isRecord(body) ? { ...body } : {};
  const inner = parseJsonish(a.message ?? choice.message);
  const message: Record<string, unknown> = isRecord(inner)
    ? { ...inner }
    : inner === undefined
      ? {}
      : { content: inner };
  if (typeof message.role !== 'string') message.role = 'assistant';
  const finish = a.finish_reason ?? choice.finish_reason;
  if (typeof finish === 'string') message.finish_reason = finish;
  const index = a.index ?? choice.index;
  if (typeof index === 'number') message.index = index;
  return message;
}

export function messagesFromEvents(span: OtlpSpan, consumed: Set<number>) {
  let input: Record<string, unknown>[] | null = null;
  let output: Record<string, unknown>[] | null = null;
  let prompt: unknown;
  let completion: unknown;
  span.events.forEach((event, i) => {
    const role = MESSAGE_EVENTS[event.name];
    if (role) {
      (input ??= []).push(eventMessage(event, role));
      consumed.add(i);
    } else if (event.name === 'gen_ai.choice') {
      (output ??= []).push(choiceMessage(event));
      consumed.add(i);
    } else if (event.name === 'gen_ai.client.inference.operation.details') {
      input ??= messageList(event.attributes['gen_ai.input.messages']);
      output ??= messageList(event.attributes['gen_ai.output.messages']);
      consumed.add(i);
    } else if (event.name === 'gen_ai.content.prompt' && event.attributes['gen_ai.prompt'] !== undefined) {
      prompt ??= parseJsonish(event.attributes['gen_ai.prompt']);
      consumed.add(i);
    } else if (event.name === 'gen_ai.content.completion' && event.attributes['gen_ai.completion'] !== undefined) {
      completion ??= parseJsonish(event.attributes['gen_ai.completion']);
      consumed.add(i);
    }
  });
  return { input, output, prompt, completion };
}
