import { createHash } from 'node:crypto';
import type { AssistantMessage, ChatMessage, ToolNames } from './chat-format';
import type { ConversationItem, ToolCallItem } from './event-mapper';

export const FAILED_TOOL_CALL_MODES = ['drop', 'keep'] as const;
export type FailedToolCalls = (typeof FAILED_TOOL_CALL_MODES)[number];

/** Calls one assistant message may carry; later calls of the same message (and their results) are dropped. */
export const MAX_TOOL_CALLS_PER_MESSAGE = 128;
/** User messages remembered since the last assistant message, to skip the copies LLM prompts repeat. */
const MAX_REMEMBERED_USER_MESSAGES = 64;

/** Counts by reason, listed in name order (so that equal builds list them the same). */
export class Tally {
  private readonly counts = new Map<string, number>();

  add(reason: string, n = 1): void {
    if (n > 0) this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
  }

  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  entries(): { reason: string; count: number }[] {
    return [...this.counts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([reason, count]) => ({ reason, count }));
  }
}

interface PendingCall {
  call: ToolCallItem;
  result: { failed: boolean; content: string } | null;
}

/** An assistant message being assembled: its text, its calls, and their results as they arrive. */
interface Turn {
  content: string | null;
  calls: PendingCall[];
  byId: Map<string, PendingCall>;
  answered: PendingCall[];
}

const digest = (text: string) => createHash('sha1').update(text).digest('base64');

/**
 * Turns the items of the session's events into chat messages, in order, holding back only the
 * assistant turn in progress (an assistant message, its tool calls and their results): a call's
 * fate is known only once its result arrives. When the turn closes (the next assistant, user or
 * system message, or the end), the assistant message is emitted with the calls that are kept,
 * followed by one tool message per kept result in the order the results came:
 * - a call whose result failed: dropped with its result (`failed_tool_calls: 'drop'`) or kept,
 *   the error becoming the tool message (`'keep'`);
 * - a call with no result: dropped when the conversation goes on (the format needs every call
 *   answered before it moves on), kept when it ends the session (a tool call is a fine target);
 * - a call whose arguments are not a JSON object: dropped;
 * - an assistant message left with neither text nor calls: dropped.
 * A tool call that comes after results in the same turn starts a new assistant message (the
 * agent called again without a logged model answer). Results of calls the turn does not hold are
 * dropped. Every drop is counted by reason in `dropped`.
 */
export class ConversationAssembler {
  readonly dropped = new Tally();
  private turn: Turn | null = null;
  private started = false;
  private lastSystem: string | null = null;
  private usersSinceAssistant: string[] = [];

  constructor(
    private readonly failedToolCalls: FailedToolCalls,
    private readonly names: ToolNames,
    private readonly emit: (message: ChatMessage) => void,
  ) {}

  push(item: ConversationItem, fromPrompt = false): void {
    switch (item.kind) {
      case 'skip':
        this.dropped.add(item.reason);
        return;
      case 'system':
        return this.system(item.content);
      case 'user':
        return this.user(item.content, fromPrompt);
      case 'assistant':
        return this.assistant(item.content, item.calls);
      case 'tool_call':
        if (!this.turn || this.turn.answered.length > 0) this.open(null);
        this.addCall(this.turn!, item.call);
        return;
      case 'tool_result':
        return this.result(item.callId, item.failed, item.content, item.fromPrompt);
      case 'prompt':
        // A request only fills in what the events did not log: its system prompt when nothing
        // was said yet, new user input, results of open calls.
        if (item.system !== null && !this.started) this.system(item.system);
        for (const tailItem of item.tail) this.push(tailItem, true);
        return;
    }
  }

  /** Closes the last turn: the conversation is over. */
  end(): void {
    this.close(false);
  }

  private system(content: string): void {
    if (content === this.lastSystem) return; // the same prompt logged twice (session.start and a message)
    this.close(true);
    this.lastSystem = content;
    this.say({ role: 'system', content });
  }

  private user(content: string, fromPrompt: boolean): void {
    const key = digest(content);
    if (this.usersSinceAssistant.includes(key)) {
      // Prompts repeat what the user already said; a logged message said twice is worth a count.
      if (!fromPrompt) this.dropped.add('duplicate_user_message');
      return;
    }
    this.close(true);
    this.usersSinceAssistant.push(key);
    if (this.usersSinceAssistant.length > MAX_REMEMBERED_USER_MESSAGES) this.usersSinceAssistant.shift();
    this.say({ role: 'user', content });
  }

  private assistant(content: string | null, calls: ToolCallItem[]): void {
    const turn = this.turn;
    if (turn && turn.calls.length === 0 && calls.length === 0 && content !== null && turn.content === content) {
      this.dropped.add('duplicate_assistant_message'); // e.g. llm.result and a message event of the same answer
      return;
    }
    this.open(content);
    for (const call of calls) this.addCall(this.turn!, call);
  }

  private result(callId: string, failed: boolean, content: string, fromPrompt: boolean): void {
    const pending = this.turn?.byId.get(callId);
    if (!pending || pending.result) {
      // A prompt repeating results already logged is expected; a logged orphan or repeat is not.
      if (!fromPrompt) this.dropped.add(pending ? 'duplicate_tool_result' : 'tool_result_without_call');
      return;
    }
    pending.result = { failed, content };
    this.turn!.answered.push(pending);
  }

  private open(content: string | null): void {
    this.close(true);
    this.started = true;
    this.usersSinceAssistant = [];
    this.turn = { content, calls: [], byId: new Map(), answered: [] };
  }

  private addCall(turn: Turn, call: ToolCallItem): void {
    const known = turn.byId.get(call.id);
    if (known) {
      // The model's answer listed the call and the agent logged it again: one call.
      if (known.call.arguments === null) known.call = { ...known.call, arguments: call.arguments };
      return;
    }
    if (turn.calls.length >= MAX_TOOL_CALLS_PER_MESSAGE) {
      this.dropped.add('tool_calls_over_limit');
      return;
    }
    const pending: PendingCall = { call, result: null };
    turn.calls.push(pending);
    turn.byId.set(call.id, pending);
  }

  /** Emits the turn in progress; `more`: the conversation goes on after it. */
  private close(more: boolean): void {
    const turn = this.turn;
    if (!turn) return;
    this.turn = null;
    const kept = new Set<PendingCall>();
    for (const pending of turn.calls) {
      if (pending.call.arguments === null) this.dropped.add('invalid_tool_arguments');
      else if (!pending.result && more) this.dropped.add('tool_call_without_result');
      else if (pending.result?.failed && this.failedToolCalls === 'drop') this.dropped.add('failed_tool_call');
      else kept.add(pending);
    }
    if (turn.content === null && kept.size === 0) {
      this.dropped.add('empty_assistant_message');
      return;
    }
    const message: AssistantMessage = { role: 'assistant' };
    if (turn.content !== null) message.content = turn.content;
    if (kept.size > 0) {
      message.tool_calls = [...kept].map(({ call }) => ({
        id: call.id,
        type: 'function' as const,
        function: { name: this.names.nameOf(call.name), arguments: call.arguments! },
      }));
    }
    this.say(message);
    for (const pending of turn.answered) {
      if (kept.has(pending))
        this.say({ role: 'tool', tool_call_id: pending.call.id, content: pending.result!.content });
    }
  }

  private say(message: ChatMessage): void {
    this.started = true;
    this.emit(message);
  }
}
