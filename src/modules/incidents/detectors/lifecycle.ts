import { Detector, isEnded, isStale } from './detector';
import { clientGapMs } from './session-view';
import { confidence, evidenceOf, normalizeName } from './signature';
import type { Finding } from './types';

const TIMEOUT_TEXT = /\btime[ds]?[ -]?out\b|\bdeadline exceeded\b|\bETIMEDOUT\b/i;

/**
 * timeout: the session ended while a tool or model call was still waiting for its result; or it
 * ended failed with an error that says it timed out; or it sat idle (by the agent's clock) for
 * `timeoutGapMs` or more before the agent ended it failed; or a tool took `timeoutGapMs` or more
 * to return an error. Critical step: the call left waiting, or the last event before the end.
 */
export const timeoutDetector: Detector = {
  id: 'timeout',
  labels: ['timeout'],
  detect(view, context) {
    const { timeoutGapMs } = context.thresholds;
    const findings: Finding[] = [];
    const add = (signature: string, score: number, criticalStep: number, evidence: number[], summary: string) =>
      findings.push({
        detector: 'timeout',
        label: 'timeout',
        confidence: confidence(score),
        evidence: evidenceOf(evidence),
        criticalStep,
        signature,
        summary,
      });

    if (isEnded(view, context)) {
      for (const call of view.pendingCalls) {
        add(`tool:${call.tool}|no_result`, 0.8, call.seq, [call.seq], `Tool ${call.tool} never returned a result`);
      }
      for (const call of view.pendingModelCalls) {
        const model = normalizeName(call.model ?? 'unknown');
        add(`model:${model}|no_result`, 0.7, call.seq, [call.seq], `Model call to ${model} never returned`);
      }
    }
    const end = view.end;
    if (end) {
      const endEvent = view.events[end.index];
      const before = view.events.slice(0, end.index).reverse();
      const lastBefore = before.find((e) => e.origin === 'agent') ?? before[0];
      const critical = lastBefore?.seq ?? end.seq;
      if (end.status === 'failed' && end.error && TIMEOUT_TEXT.test(end.error)) {
        add('session|timeout', 0.9, critical, [critical, end.seq], 'The session ended failed with a timeout');
      }
      // Only the agent's own clock on both sides: an end noted by the server carries another clock.
      const gap =
        endEvent.origin === 'agent' && lastBefore?.origin === 'agent' ? clientGapMs(lastBefore, endEvent) : null;
      if (gap !== null && gap >= timeoutGapMs && end.status === 'failed') {
        add(
          'session|idle_before_end',
          0.7,
          critical,
          [critical, end.seq],
          `The session sat idle ${gap} ms, then ended failed`,
        );
      }
    }
    for (const result of view.results) {
      if (result.ok) continue;
      const took =
        result.latencyMs ??
        clientGapMs(result.call ? view.events[result.call.index] : undefined, view.events[result.index]);
      if (took !== null && took >= timeoutGapMs) {
        const critical = result.call?.seq ?? result.seq;
        add(
          `tool:${result.tool}|slow_failure`,
          0.75,
          critical,
          [critical, result.seq],
          `Tool ${result.tool} failed after ${took} ms`,
        );
      }
    }
    return findings;
  },
};

/**
 * abandoned: no session.end was stored, the session record is not ended, and the server saw no
 * event for `abandonAfterMs` or more (idle time measured by the caller and passed as data).
 * Critical step: the last event. The signature names what the session was left on.
 */
export const abandonedDetector: Detector = {
  id: 'abandoned',
  labels: ['abandoned'],
  detect(view, context) {
    if (isEnded(view, context) || !isStale(context)) return [];
    const last = view.events[view.events.length - 1];
    if (!last) return [];
    const pending = view.pendingCalls[view.pendingCalls.length - 1];
    const leftOn = pending && pending.index === view.events.length - 1 ? `|tool:${pending.tool}` : '';
    return [
      {
        detector: 'abandoned',
        label: 'abandoned',
        confidence: confidence(0.8),
        evidence: evidenceOf([last.seq, ...view.pendingCalls.map((c) => c.seq)]),
        criticalStep: last.seq,
        signature: `last:${last.type}${leftOn}`,
        summary: `The session stopped after a ${last.type} event and never ended`,
      },
    ];
  },
};

/**
 * unanswered_question: once the session is over (ended, or abandoned), a `question` with no
 * `answer` of the same question_id after it, or a user message that nothing answered (no
 * assistant text, answer or tool call after it). Critical step: the question.
 */
export const unansweredQuestionDetector: Detector = {
  id: 'unanswered_question',
  labels: ['unanswered_question'],
  detect(view, context) {
    if (!isEnded(view, context) && !isStale(context)) return [];
    const findings: Finding[] = [];
    view.events.forEach((event, index) => {
      if (event.type !== 'question') return;
      const id = event.payload.question_id;
      const answered = view.events.some((e, i) => i > index && e.type === 'answer' && e.payload.question_id === id);
      if (answered) return;
      findings.push({
        detector: 'unanswered_question',
        label: 'unanswered_question',
        confidence: confidence(0.85),
        evidence: [event.seq],
        criticalStep: event.seq,
        signature: 'question',
        summary: 'The agent asked a question that was never answered',
      });
    });
    const lastUser = view.events.findLastIndex((e) => e.type === 'message' && e.payload.role === 'user');
    if (lastUser >= 0) {
      const assistantAt = new Set(view.assistantTexts.map((t) => t.index));
      const replied = view.events.some(
        (e, i) => i > lastUser && (e.type === 'answer' || e.type === 'tool.call' || assistantAt.has(i)),
      );
      if (!replied) {
        const seq = view.events[lastUser].seq;
        findings.push({
          detector: 'unanswered_question',
          label: 'unanswered_question',
          confidence: confidence(0.7),
          evidence: [seq],
          criticalStep: seq,
          signature: 'user_message',
          summary: 'The last user message got no answer',
        });
      }
    }
    return findings;
  },
};
