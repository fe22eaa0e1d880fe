import { Detector, isFailed } from './detector';
import type { ToolResult } from './session-view';
import { confidence, errorClassOf, evidenceOf, normalizeName } from './signature';

const errorSignature = (result: ToolResult) => `tool:${result.tool}|error:${result.errorClass ?? 'error'}`;
const seqsOf = (results: ToolResult[]) => results.flatMap((r) => (r.call ? [r.call.seq, r.seq] : [r.seq]));

/**
 * tool_error: a tool returned an error. One finding per tool and error class. When a later call of
 * the same tool succeeded the error was recovered from (low confidence, no incident by default).
 */
export const toolErrorDetector: Detector = {
  id: 'tool_error',
  labels: ['tool_error'],
  detect(view, context) {
    const groups = new Map<string, ToolResult[]>();
    for (const result of view.results) {
      if (result.ok) continue;
      const key = errorSignature(result);
      groups.set(key, [...(groups.get(key) ?? []), result]);
    }
    const failed = isFailed(view, context);
    return [...groups].map(([signature, failures]) => {
      const last = failures[failures.length - 1];
      const successes = view.results.filter((r) => r.ok && r.tool === last.tool);
      const recovered = successes.some((r) => r.index > last.index);
      // Unrecovered: the failure became final at the first error after the tool's last success.
      const lastSuccessBefore = Math.max(-1, ...successes.filter((r) => r.index < last.index).map((r) => r.index));
      const critical = recovered ? failures[0] : (failures.find((r) => r.index > lastSuccessBefore) ?? last);
      return {
        detector: 'tool_error',
        label: 'tool_error',
        confidence: confidence(recovered ? 0.4 : failed ? 0.95 : 0.85),
        evidence: evidenceOf(seqsOf(failures)),
        criticalStep: critical.seq,
        signature,
        summary:
          `Tool ${last.tool} failed ${failures.length} time(s) with ${last.errorClass ?? 'an error'}` +
          (recovered ? ', then succeeded' : ' and never succeeded afterwards'),
      };
    });
  },
};

/**
 * retries_exhausted: a tool failed `maxRetries` times in a row (or reported an `attempt` of at
 * least `maxRetries`) and never succeeded afterwards; or an `error` event reported its last
 * allowed attempt. Critical step: the last failed attempt.
 */
export const retriesExhaustedDetector: Detector = {
  id: 'retries_exhausted',
  labels: ['retries_exhausted'],
  detect(view, context) {
    const { maxRetries } = context.thresholds;
    const chains = new Map<string, ToolResult[]>();
    for (const result of view.results) {
      if (result.ok) chains.delete(result.tool);
      else chains.set(result.tool, [...(chains.get(result.tool) ?? []), result]);
    }
    const findings = [...chains.values()].flatMap((chain) => {
      const last = chain[chain.length - 1];
      const attempts = Math.max(chain.length, ...chain.map((r) => r.attempt ?? 0));
      if (attempts < maxRetries) return [];
      return [
        {
          detector: 'retries_exhausted',
          label: 'retries_exhausted',
          confidence: confidence(0.9),
          evidence: evidenceOf(seqsOf(chain)),
          criticalStep: last.seq,
          signature: errorSignature(last),
          summary: `Tool ${last.tool} failed ${attempts} attempt(s) in a row (${last.errorClass ?? 'error'}); retries were exhausted`,
        },
      ];
    });
    for (const event of view.events) {
      if (event.type !== 'error') continue;
      const attempt = event.payload.attempt;
      if (typeof attempt !== 'number' || attempt < maxRetries || event.payload.retryable === true) continue;
      const kind = errorClassOf(event.payload.kind, event.payload.message);
      findings.push({
        detector: 'retries_exhausted',
        label: 'retries_exhausted',
        confidence: confidence(0.85),
        evidence: [event.seq],
        criticalStep: event.seq,
        signature: `error:${kind}`,
        summary: `An error (${kind}) on attempt ${attempt} ended the retries`,
      });
    }
    return findings;
  },
};

const CLAIMS_SUCCESS =
  /\b(?:success(?:ful(?:ly)?)?|succeeded|done|complete[d]?|finished|all set|i(?:'ve| have) (?:\w+ ){0,2}(?:created|updated|sent|booked|scheduled|saved|deleted|deployed|submitted|placed|processed|added|fixed|completed)|(?:has|have) been (?:\w+ )?(?:created|updated|sent|booked|scheduled|saved|deleted|deployed|submitted|placed|processed|added|completed|fixed))\b/i;
const ADMITS_FAILURE =
  /\b(?:errors?|fail(?:ed|ure|s|ing)?|unable|could ?n[o']t|cannot|can[’']?t|unfortunately|sorry|not|did ?n[o’']t|wasn[’']?t|problems?|issues?)\b/i;

/**
 * contradicted_final_answer: the final assistant answer claims success while the last tool
 * result before it failed. Heuristic: the answer is the session's last assistant text (a
 * `message` of role assistant or a model result's message) with no tool call after it; the last
 * tool result before it has status error; the answer matches a success phrase ("done",
 * "successfully", "I have booked", "has been created", ...) and none of the words that admit a
 * failure ("error", "failed", "unable", "sorry", "not", ...).
 */
export const contradictedFinalAnswerDetector: Detector = {
  id: 'contradicted_final_answer',
  labels: ['contradicted_final_answer'],
  detect(view) {
    const answer = view.assistantTexts[view.assistantTexts.length - 1];
    if (!answer || view.calls.some((c) => c.index > answer.index)) return [];
    const before = view.results.filter((r) => r.index < answer.index);
    const last = before[before.length - 1];
    if (!last || last.ok || !CLAIMS_SUCCESS.test(answer.text) || ADMITS_FAILURE.test(answer.text)) return [];
    return [
      {
        detector: 'contradicted_final_answer',
        label: 'contradicted_final_answer',
        confidence: confidence(0.75),
        evidence: evidenceOf([...seqsOf([last]), answer.seq]),
        criticalStep: answer.seq,
        signature: errorSignature(last),
        summary: `The final answer claims success although ${normalizeName(last.tool)} failed (${last.errorClass ?? 'error'})`,
      },
    ];
  },
};
