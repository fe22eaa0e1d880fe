import type { Detector } from './detector';
import type { ModelUsage } from './session-view';
import { confidence, evidenceOf, normalizeName } from './signature';
import type { Finding } from './types';

/** The model that used the most tokens (ties: the first by name), for the signature. */
function dominantModel(usage: ModelUsage[]): string {
  const totals = new Map<string, number>();
  for (const u of usage) {
    const model = normalizeName(u.model ?? 'unknown');
    totals.set(model, (totals.get(model) ?? 0) + u.tokens);
  }
  const top = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  return top?.[0] ?? 'unknown';
}

/**
 * runaway_usage: the tokens (usage.total_tokens, else input + output) or the cost (cost_usd) of
 * every model result of the session, summed in order, exceed `maxTokens` or `maxCostUsd`.
 * Labels `runaway_tokens` and `runaway_cost`. Critical step: the result where the sum crossed the
 * limit. Confidence grows from 0.6 at the limit to 1 at twice the limit.
 */
export const runawayUsageDetector: Detector = {
  id: 'runaway_usage',
  labels: ['runaway_tokens', 'runaway_cost'],
  detect(view, context) {
    const { maxTokens, maxCostUsd } = context.thresholds;
    let tokens = 0;
    let cost = 0;
    let tokensCrossed: number | null = null;
    let costCrossed: number | null = null;
    view.usage.forEach((u, i) => {
      tokens += u.tokens;
      cost += u.costUsd;
      if (tokensCrossed === null && tokens > maxTokens) tokensCrossed = i;
      if (costCrossed === null && cost > maxCostUsd) costCrossed = i;
    });
    const model = dominantModel(view.usage);
    const finding = (label: string, kind: string, crossed: number, ratio: number, summary: string): Finding => {
      const upTo = view.usage.slice(0, crossed + 1).map((u) => u.seq);
      return {
        detector: 'runaway_usage',
        label,
        confidence: confidence(0.6 + 0.4 * Math.min(1, ratio - 1)),
        evidence: evidenceOf([...upTo.slice(0, 49), upTo[upTo.length - 1]]),
        criticalStep: view.usage[crossed].seq,
        signature: `${kind}|model:${model}`,
        summary,
      };
    };
    const findings: Finding[] = [];
    if (tokensCrossed !== null) {
      findings.push(
        finding(
          'runaway_tokens',
          'tokens',
          tokensCrossed,
          tokens / maxTokens,
          `Model calls used ${tokens} tokens (limit ${maxTokens})`,
        ),
      );
    }
    if (costCrossed !== null) {
      const spent = Math.round(cost * 1e6) / 1e6;
      findings.push(
        finding(
          'runaway_cost',
          'cost',
          costCrossed,
          cost / maxCostUsd,
          `Model calls cost ${spent} USD (limit ${maxCostUsd})`,
        ),
      );
    }
    return findings;
  },
};
