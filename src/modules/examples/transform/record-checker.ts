import { type ChatMessage, messageProblem } from './chat-format';

/** Why a record is not written (each is counted on the example under `skip_reasons`). */
export const RECORD_PROBLEMS = [
  'invalid_message',
  'tool_message_without_call',
  'tool_call_without_result',
  'no_assistant_message',
  'last_message_not_assistant',
  'no_prompt_message',
  'unknown_tool',
] as const;
export type RecordProblem = (typeof RECORD_PROBLEMS)[number];

/**
 * Checks a record's messages one at a time, as they stream, against the rules of the chat
 * fine-tuning format: each message well-formed; a tool message answers a call of the assistant
 * message just before it, once; every call of an assistant message is answered before the
 * conversation moves on (only the record's last message may leave calls open, as the target of
 * a tool-calling turn); the record ends with an assistant message; every called function is in
 * `tools`. One quality rule too: something (system or user) must come before the first assistant
 * message, or the model would learn to speak unprompted.
 *
 * It keeps only the open calls of the latest assistant message, so a whole session can stream
 * through it. `verdict(lastIndex)` judges the record cut after message `lastIndex`: problems
 * found after that index do not count.
 */
export class RecordChecker {
  private index = -1;
  private open = new Set<string>();
  private lastAssistant = -1;
  private prompted = false;
  private problem: { reason: RecordProblem; index: number } | null = null;

  /** `functions`: the names in the record's `tools`; null skips that check. */
  constructor(private readonly functions: ReadonlySet<string> | null = null) {}

  push(message: ChatMessage): void {
    this.index++;
    if (messageProblem(message) !== null) return this.fail('invalid_message');
    if (message.role === 'tool') {
      if (!this.open.delete(message.tool_call_id)) this.fail('tool_message_without_call');
      return;
    }
    if (this.open.size > 0) this.fail('tool_call_without_result');
    this.open = new Set();
    if (message.role !== 'assistant') {
      this.prompted = true;
      return;
    }
    if (!this.prompted) this.fail('no_prompt_message');
    this.lastAssistant = this.index;
    for (const call of message.tool_calls ?? []) {
      this.open.add(call.id);
      if (this.functions && !this.functions.has(call.function.name)) this.fail('unknown_tool');
    }
  }

  /** Index of the last assistant message pushed (-1: none). */
  get lastAssistantIndex(): number {
    return this.lastAssistant;
  }

  /** Messages pushed. */
  get count(): number {
    return this.index + 1;
  }

  /**
   * Why the record made of messages 0..lastIndex is invalid, or null when it is valid. `lastIndex`
   * is the last message, or the last assistant message (a record cut after it).
   */
  verdict(lastIndex = this.index): RecordProblem | null {
    if (lastIndex < this.lastAssistant)
      throw new RangeError('a record cannot be cut before its last assistant message');
    if (this.problem && this.problem.index <= lastIndex) return this.problem.reason;
    if (this.lastAssistant < 0) return 'no_assistant_message';
    if (this.lastAssistant !== lastIndex) return 'last_message_not_assistant';
    return null;
  }

  private fail(reason: RecordProblem): void {
    this.problem ??= { reason, index: this.index };
  }
}

/** Checks a whole record held in memory. */
export function checkRecord(
  messages: ChatMessage[],
  functions: ReadonlySet<string> | null = null,
): RecordProblem | null {
  const checker = new RecordChecker(functions);
  for (const message of messages) checker.push(message);
  return checker.verdict();
}
