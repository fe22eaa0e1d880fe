import { type ChatMessage, type ChatTool, messageJson, ToolNames, toolsJson } from './chat-format';
import { ConversationAssembler, type FailedToolCalls, Tally } from './conversation';
import { mapEvent, type SessionEventRecord, type TextFilter } from './event-mapper';
import { checkRecord, RecordChecker, type RecordProblem } from './record-checker';

export const SPLIT_MODES = ['whole_session', 'per_assistant_turn'] as const;
export type SplitMode = (typeof SPLIT_MODES)[number];

export interface TransformSettings {
  split: SplitMode;
  failedToolCalls: FailedToolCalls;
  /** per_assistant_turn: most messages in one record (system prompt and target included). */
  maxMessagesPerRecord: number;
  filter: TextFilter;
}

/** What the first pass learns: the tools the messages call, and where the whole-session record must end. */
export interface TransformPlan {
  names: ToolNames;
  /** Original names of the tools the kept calls use, in order of first use. */
  usedTools: string[];
  messages: number;
  lastAssistantIndex: number;
  /** Why the whole-session record (cut after its last assistant message) is invalid, or null. */
  wholeSessionProblem: RecordProblem | null;
}

export interface RecordStats {
  recordsWritten: number;
  recordsSkipped: Tally;
  /** Messages, calls and events left out of records, by reason. */
  dropped: Tally;
}

/**
 * First pass over the events: assembles the conversation without keeping it, to learn which
 * tools it calls (the `tools` array is written with every record, so it must be known first)
 * and, for the whole-session record, where its last assistant message is and whether it is valid.
 */
export async function planTransform(
  events: AsyncIterable<SessionEventRecord>,
  settings: TransformSettings,
): Promise<TransformPlan> {
  const names = new ToolNames();
  const checker = new RecordChecker();
  const assembler = new ConversationAssembler(settings.failedToolCalls, names, (message) => checker.push(message));
  for await (const event of events) for (const item of mapEvent(event, settings.filter)) assembler.push(item);
  assembler.end();
  const last = checker.lastAssistantIndex;
  return {
    names,
    usedTools: names.originals(),
    messages: checker.count,
    lastAssistantIndex: last,
    wholeSessionProblem: checker.verdict(last >= 0 ? last : checker.count - 1),
  };
}

/**
 * Second pass: the JSONL, as chunks of text, holding at most one assistant turn and (per
 * assistant turn) one record window in memory. Same events, settings, plan and tools: same bytes.
 * `stats` is filled as it goes.
 */
export async function* writeRecords(
  events: AsyncIterable<SessionEventRecord>,
  settings: TransformSettings,
  plan: TransformPlan,
  tools: ChatTool[],
  stats: RecordStats,
): AsyncGenerator<string> {
  const toolsText = tools.length > 0 ? `,"tools":${toolsJson(tools)}` : '';
  const out: string[] = [];
  let writer: { push(message: ChatMessage): void; end(): void };
  if (settings.split === 'whole_session') {
    if (plan.wholeSessionProblem !== null) {
      stats.recordsSkipped.add(plan.wholeSessionProblem);
      return;
    }
    writer = new WholeSessionWriter(plan.lastAssistantIndex, toolsText, out, stats);
  } else {
    const functions = new Set(tools.map((t) => t.function.name));
    writer = new PerTurnWriter(settings.maxMessagesPerRecord, toolsText, functions, out, stats);
  }
  // The assembler calls back synchronously; what one event produced is yielded after it, so the
  // consumer's pace (the storage write) is the pace of the reads.
  const assembler = new ConversationAssembler(settings.failedToolCalls, plan.names, (message) => writer.push(message));
  for await (const event of events) {
    for (const item of mapEvent(event, settings.filter)) assembler.push(item);
    if (out.length > 0) yield out.splice(0).join('');
  }
  assembler.end();
  writer.end();
  if (out.length > 0) yield out.splice(0).join('');
  for (const { reason, count } of assembler.dropped.entries()) stats.dropped.add(reason, count);
}

/** One record of the whole conversation, streamed message by message, cut after its last assistant message. */
class WholeSessionWriter {
  private index = -1;

  constructor(
    private readonly lastIndex: number,
    private readonly toolsText: string,
    private readonly out: string[],
    private readonly stats: RecordStats,
  ) {}

  push(message: ChatMessage): void {
    this.index++;
    if (this.index > this.lastIndex) {
      this.stats.dropped.add('after_last_assistant_message');
      return;
    }
    this.out.push(`${this.index === 0 ? '{"messages":[' : ','}${messageJson(message)}`);
  }

  end(): void {
    this.out.push(`]${this.toolsText}}\n`);
    this.stats.recordsWritten++;
  }
}

interface Entry {
  message: ChatMessage;
  json: string;
  /** As context of a later record: assistant messages get `weight: 0` (trained once, in their own record). */
  contextJson: string;
}

const entryOf = (message: ChatMessage): Entry => {
  const json = messageJson(message);
  return { message, json, contextJson: message.role === 'assistant' ? messageJson(message, 0) : json };
};

/**
 * One record per assistant message: the conversation up to it, the target trained on, earlier
 * assistant messages weighted 0. Only the last `max - 1` messages are kept (a sliding window, so
 * memory and the file stay linear in the session's length); the system prompt and the first user
 * message (the task) stay pinned at the head when the window has moved past them, and a window
 * never starts with tool messages whose call it cut off.
 */
class PerTurnWriter {
  private headSystem: Entry | null = null;
  private headUser: Entry | null = null;
  private seen = 0;
  private readonly window: Entry[] = [];

  constructor(
    private readonly max: number,
    private readonly toolsText: string,
    private readonly functions: ReadonlySet<string>,
    private readonly out: string[],
    private readonly stats: RecordStats,
  ) {}

  push(message: ChatMessage): void {
    const entry = entryOf(message);
    if (this.seen++ === 0 && message.role === 'system') {
      this.headSystem = entry;
      return;
    }
    if (message.role === 'assistant') this.record(entry);
    if (message.role === 'user' && !this.headUser) this.headUser = entry;
    this.window.push(entry);
    if (this.window.length > this.max) this.window.shift();
  }

  end(): void {
    // Every record was written when its assistant message arrived.
  }

  private record(target: Entry): void {
    const room = this.max - 1 - (this.headSystem ? 1 : 0);
    let context = room > 0 ? this.window.slice(-room) : [];
    const pinUser = this.headUser !== null && room > 0 && !context.includes(this.headUser);
    if (pinUser) context = context.slice(-(room - 1));
    while (context.length > 0 && context[0].message.role === 'tool') context.shift();
    const entries = [...(this.headSystem ? [this.headSystem] : []), ...(pinUser ? [this.headUser!] : []), ...context];
    const problem = checkRecord([...entries.map((e) => e.message), target.message], this.functions);
    if (problem !== null) {
      this.stats.recordsSkipped.add(problem);
      return;
    }
    const messages = [...entries.map((e) => e.contextJson), target.json].join(',');
    this.out.push(`{"messages":[${messages}]${this.toolsText}}\n`);
    this.stats.recordsWritten++;
  }
}

export const emptyRecordStats = (): RecordStats => ({
  recordsWritten: 0,
  recordsSkipped: new Tally(),
  dropped: new Tally(),
});
