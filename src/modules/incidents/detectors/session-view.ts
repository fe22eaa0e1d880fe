import { canonicalJson } from 'src/modules/sessions/events/event-content';
import { argumentsKey, errorClassOf, normalizeName, textOf } from './signature';
import type { DetectorEvent } from './types';

/** A tool call, from a `tool.call` event or a LangSmith/OTLP run of type `tool`. */
export interface ToolCall {
  seq: number;
  /** Position in the ordered log (events sharing a seq are told apart by it). */
  index: number;
  callId: string;
  tool: string;
  args: unknown;
  argsKey: string;
}

/** A tool's result, from a `tool.result` event or the end of a `tool` run. */
export interface ToolResult {
  seq: number;
  index: number;
  callId: string;
  tool: string;
  ok: boolean;
  error: string | null;
  errorClass: string | null;
  attempt: number | null;
  latencyMs: number | null;
  outputKey: string | null;
  call: ToolCall | null;
}

/** Token use and cost reported by one model result. */
export interface ModelUsage {
  seq: number;
  tokens: number;
  costUsd: number;
  model: string | null;
}

/** An assistant's answer: a `message` of role assistant, or a model result carrying a message. */
export interface AssistantText {
  seq: number;
  index: number;
  text: string;
}

export interface SessionEnd {
  seq: number;
  index: number;
  status: string;
  error: string | null;
}

/**
 * A session's events in replay order and what the detectors read from them, built once. Every
 * source of the log (native events, LangSmith runs, OTLP spans) reads the same here.
 */
export interface SessionView {
  events: DetectorEvent[];
  calls: ToolCall[];
  results: ToolResult[];
  /** Calls without a result, in order. */
  pendingCalls: ToolCall[];
  /** Model calls (`llm.call`, `llm` runs) without a result, by seq. */
  pendingModelCalls: { seq: number; index: number; model: string | null }[];
  usage: ModelUsage[];
  assistantTexts: AssistantText[];
  /** The first session.end, if any. */
  end: SessionEnd | null;
}

const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/**
 * Replay order: (seq, sub_seq) as the store orders them, then type and content, so that even
 * input with duplicate positions always sorts the same way, whatever order it came in.
 */
export function compareEvents(a: DetectorEvent, b: DetectorEvent): number {
  if (a.seq !== b.seq) return a.seq - b.seq;
  if (a.subSeq !== b.subSeq) return a.subSeq - b.subSeq;
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  const ka = canonicalJson(a.payload);
  const kb = canonicalJson(b.payload);
  return ka === kb ? 0 : ka < kb ? -1 : 1;
}

export function sortEvents(events: readonly DetectorEvent[]): DetectorEvent[] {
  return [...events].sort(compareEvents);
}

function tokensOf(usage: unknown): number {
  if (!usage || typeof usage !== 'object') return 0;
  const u = usage as Record<string, unknown>;
  const total = num(u.total_tokens);
  if (total !== null) return total;
  return (num(u.input_tokens) ?? 0) + (num(u.output_tokens) ?? 0);
}

/** Builds the view of events that are already in replay order. */
export function buildView(events: DetectorEvent[]): SessionView {
  const view: SessionView = {
    events,
    calls: [],
    results: [],
    pendingCalls: [],
    pendingModelCalls: [],
    usage: [],
    assistantTexts: [],
    end: null,
  };
  const openCalls = new Map<string, ToolCall>();
  const modelCalls = new Map<string, { seq: number; index: number; model: string | null }>();
  const runTypes = new Map<string, string>();

  events.forEach((event, index) => {
    const p = event.payload;
    switch (event.type) {
      case 'tool.call': {
        const call = toolCall(event, index, str(p.call_id), str(p.tool), p.arguments);
        if (call) {
          view.calls.push(call);
          openCalls.set(call.callId, call);
        }
        break;
      }
      case 'tool.result': {
        const callId = str(p.call_id) ?? `#${index}`;
        const call = openCalls.get(callId) ?? null;
        openCalls.delete(callId);
        view.results.push({
          seq: event.seq,
          index,
          callId,
          tool: normalizeName(str(p.tool) ?? call?.tool ?? 'unknown'),
          ok: p.status !== 'error',
          error: str(p.error),
          errorClass: p.status === 'error' ? errorClassOf(p.error_class, p.error) : null,
          attempt: num(p.attempt),
          latencyMs: num(p.latency_ms),
          outputKey: p.output === undefined ? null : canonicalJson(p.output),
          call,
        });
        break;
      }
      case 'llm.call': {
        const callId = str(p.call_id);
        if (callId) modelCalls.set(callId, { seq: event.seq, index, model: str(p.model) });
        break;
      }
      case 'llm.result': {
        const callId = str(p.call_id);
        const call = callId ? modelCalls.get(callId) : undefined;
        if (callId) modelCalls.delete(callId);
        view.usage.push({
          seq: event.seq,
          tokens: tokensOf(p.usage),
          costUsd: num(p.cost_usd) ?? 0,
          model: str(p.model) ?? call?.model ?? null,
        });
        const message = p.message as { role?: unknown; content?: unknown } | undefined;
        const text = message && message.role !== 'tool' ? textOf(message.content) : '';
        if (text) view.assistantTexts.push({ seq: event.seq, index, text });
        break;
      }
      case 'message':
        if (p.role === 'assistant') {
          const text = textOf(p.content);
          if (text) view.assistantTexts.push({ seq: event.seq, index, text });
        }
        break;
      case 'run.start': {
        const runId = str(p.run_id);
        const runType = str(p.run_type) ?? '';
        if (!runId) break;
        runTypes.set(runId, runType);
        if (runType === 'tool') {
          const call = toolCall(event, index, runId, str(p.name), p.inputs);
          if (call) {
            view.calls.push(call);
            openCalls.set(call.callId, call);
          }
        } else if (runType === 'llm') {
          const metadata = (p.metadata ?? {}) as Record<string, unknown>;
          modelCalls.set(runId, { seq: event.seq, index, model: str(metadata.ls_model_name) ?? str(p.name) });
        }
        break;
      }
      case 'run.end': {
        const runId = str(p.run_id);
        if (!runId) break;
        const runType = str(p.run_type) ?? runTypes.get(runId) ?? '';
        if (runType === 'tool') {
          const call = openCalls.get(runId) ?? null;
          openCalls.delete(runId);
          const failed = p.status === 'failed';
          view.results.push({
            seq: event.seq,
            index,
            callId: runId,
            tool: normalizeName(str(p.name) ?? call?.tool ?? 'unknown'),
            ok: !failed,
            error: str(p.error),
            errorClass: failed ? errorClassOf(undefined, p.error) : null,
            attempt: null,
            latencyMs: num(p.duration_ms),
            outputKey: p.outputs === undefined ? null : canonicalJson(p.outputs),
            call,
          });
        } else if (runType === 'llm' || p.usage !== undefined) {
          const call = modelCalls.get(runId);
          modelCalls.delete(runId);
          if (p.usage !== undefined) {
            view.usage.push({ seq: event.seq, tokens: tokensOf(p.usage), costUsd: 0, model: call?.model ?? null });
          }
        }
        break;
      }
      case 'session.end':
        view.end ??= { seq: event.seq, index, status: str(p.status) ?? 'completed', error: str(p.error) };
        break;
      default:
        break;
    }
  });
  view.pendingCalls = [...openCalls.values()].sort((a, b) => a.index - b.index);
  view.pendingModelCalls = [...modelCalls.values()].sort((a, b) => a.index - b.index);
  return view;
}

function toolCall(event: DetectorEvent, index: number, callId: string | null, tool: string | null, args: unknown) {
  if (!tool) return null;
  return {
    seq: event.seq,
    index,
    callId: callId ?? `#${index}`,
    tool: normalizeName(tool),
    args: args ?? {},
    argsKey: argumentsKey(args),
  };
}

/** Milliseconds between two client timestamps, or null when either is missing or unreadable. */
export function clientGapMs(from: DetectorEvent | undefined, to: DetectorEvent | undefined): number | null {
  if (!from?.timestamp || !to?.timestamp) return null;
  const a = Date.parse(from.timestamp);
  const b = Date.parse(to.timestamp);
  return Number.isFinite(a) && Number.isFinite(b) ? b - a : null;
}
