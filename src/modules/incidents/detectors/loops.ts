import { canonicalJson } from 'src/modules/sessions/events/event-content';
import type { Detector } from './detector';
import type { ToolCall } from './session-view';
import { confidence, evidenceOf, normalizeName, textOf } from './signature';
import type { DetectorEvent } from './types';

/**
 * repeated_tool_call: the same tool called with the same arguments (compared as canonical JSON)
 * at least `loopMinRepeats` times. Critical step: the call that reached the threshold.
 */
export const repeatedToolCallDetector: Detector = {
  id: 'repeated_tool_call',
  labels: ['repeated_tool_call'],
  detect(view, context) {
    const { loopMinRepeats } = context.thresholds;
    const groups = new Map<string, ToolCall[]>();
    for (const call of view.calls) {
      const key = `${call.tool}\u0000${call.argsKey}`;
      groups.set(key, [...(groups.get(key) ?? []), call]);
    }
    return [...groups.values()]
      .filter((calls) => calls.length >= loopMinRepeats)
      .map((calls) => ({
        detector: 'repeated_tool_call',
        label: 'repeated_tool_call',
        confidence: confidence(0.6 + 0.1 * (calls.length - loopMinRepeats)),
        evidence: evidenceOf(calls.map((c) => c.seq)),
        criticalStep: calls[loopMinRepeats - 1].seq,
        signature: `tool:${calls[0].tool}`,
        summary: `Tool ${calls[0].tool} was called ${calls.length} times with the same arguments`,
      }));
  },
};

type Step = { kind: 'action'; tool: string | null; model: boolean } | { kind: 'progress' } | { kind: 'other' };

/** Whether an event moves the session on (new information) or is an agent action. */
function classify(event: DetectorEvent, seen: Set<string>): Step {
  const p = event.payload;
  const isNew = (value: unknown) => {
    if (value === undefined || value === null || value === '') return false;
    const key = `${event.type}:${canonicalJson(value)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  switch (event.type) {
    case 'tool.call':
      return { kind: 'action', tool: typeof p.tool === 'string' ? normalizeName(p.tool) : null, model: false };
    case 'llm.call':
      return { kind: 'action', tool: null, model: true };
    case 'step':
      return isNew(p.output) ? { kind: 'progress' } : { kind: 'action', tool: null, model: false };
    case 'run.start':
      if (p.run_type === 'tool') {
        return { kind: 'action', tool: typeof p.name === 'string' ? normalizeName(p.name) : null, model: false };
      }
      return p.run_type === 'llm' ? { kind: 'action', tool: null, model: true } : { kind: 'other' };
    case 'tool.result':
      return p.status !== 'error' && isNew(p.output) ? { kind: 'progress' } : { kind: 'other' };
    case 'run.end':
      return p.run_type === 'tool' && p.status === 'completed' && isNew(p.outputs)
        ? { kind: 'progress' }
        : { kind: 'other' };
    case 'message':
      return p.role === 'user' || (p.role === 'assistant' && isNew(textOf(p.content)))
        ? { kind: 'progress' }
        : { kind: 'other' };
    case 'answer':
      return { kind: 'progress' };
    default:
      return { kind: 'other' };
  }
}

/** The tool the stalled actions used most (ties: the first by name), else `model` or `steps`. */
function stallSignature(actions: { tool: string | null; model: boolean }[]): string {
  const counts = new Map<string, number>();
  for (const a of actions) if (a.tool) counts.set(a.tool, (counts.get(a.tool) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  if (top) return `tool:${top[0]}`;
  return actions.some((a) => a.model) ? 'model' : 'steps';
}

/**
 * no_progress: `noProgressSteps` agent actions (tool calls, model calls, steps without new output)
 * in a row with no progress between them. Progress is new information: a successful tool result
 * or step output not seen before in the session, a new assistant message, a user message or an
 * operator's answer. Critical step: the action that reached the threshold.
 */
export const noProgressDetector: Detector = {
  id: 'no_progress',
  labels: ['no_progress'],
  detect(view, context) {
    const { noProgressSteps } = context.thresholds;
    const seen = new Set<string>();
    const stalls: { seq: number; tool: string | null; model: boolean }[][] = [];
    let run: { seq: number; tool: string | null; model: boolean }[] = [];
    const close = () => {
      if (run.length >= noProgressSteps) stalls.push(run);
      run = [];
    };
    for (const event of view.events) {
      const step = classify(event, seen);
      if (step.kind === 'action') run.push({ seq: event.seq, tool: step.tool, model: step.model });
      else if (step.kind === 'progress') close();
    }
    close();
    return stalls.map((actions) => ({
      detector: 'no_progress',
      label: 'no_progress',
      confidence: confidence(Math.min(0.95, 0.6 + 0.05 * (actions.length - noProgressSteps))),
      evidence: evidenceOf(actions.map((a) => a.seq)),
      criticalStep: actions[noProgressSteps - 1].seq,
      signature: stallSignature(actions),
      summary: `${actions.length} agent actions in a row made no progress`,
    }));
  },
};
