import type { AgentSpec } from 'src/modules/catalog/registry/specs';
import { fallbackDraft } from './fallback-plan';
import { GUARDRAILS_HEADING, type IncidentFacts } from './fix-agent.constants';

const current: AgentSpec = {
  display_name: 'Checkout',
  description: null,
  status: 'active',
  system_prompt: 'You take payments.',
  model_selection: {
    mode: 'deployment_default',
    model_id: null,
    provider: null,
    model: null,
    parameters: { max_tokens: 4000 },
  },
  tool_policy: { allowed_tools: ['tool.payments_charge', 'tool.ghost'] },
  workflow: {
    max_steps: 12,
    step_timeout_seconds: 120,
    run_timeout_seconds: 900,
    max_retries: 1,
    retry_backoff_seconds: 0,
    parallel_tool_calls: false,
  },
};

const incident = (detector: string, signature: string, label = detector): IncidentFacts => ({
  id: 'b6a0c1f4-0000-4000-8000-000000000001',
  detector,
  label,
  signature,
  title: `${label}: ${signature}`,
});

describe('fallbackDraft', () => {
  it.each([
    ['tool_error', 'tool:payments.charge|error:GatewayError', { max_retries: 3, retry_backoff_seconds: 2 }],
    ['retries_exhausted', 'tool:payments.charge|error:http_<n>', { retry_backoff_seconds: 5 }],
    ['repeated_tool_call', 'tool:search', { max_steps: 9 }],
    ['no_progress', 'tool:search', { max_steps: 9 }],
    ['timeout', 'session|timeout', { run_timeout_seconds: 1800 }],
    ['runaway_usage', 'tokens|model:gpt', { max_steps: 9 }],
  ])('gives %s a guard and its workflow remedy', (detector, signature, workflow) => {
    const draft = fallbackDraft(incident(detector, signature), current);
    expect(draft.spec.workflow).toEqual({ ...current.workflow, ...workflow });
    expect(draft.spec.system_prompt.startsWith(`You take payments.\n\n${GUARDRAILS_HEADING}\n- `)).toBe(true);
    expect(draft.plan.map((s) => s.target)).toEqual(expect.arrayContaining(['system_prompt', 'workflow']));
  });

  it.each([
    ['contradicted_final_answer', 'tool:payments.charge|error:GatewayError', 'payments.charge'],
    ['invalid_tool_arguments', 'tool:book_table|minimum:/people', 'minimum:/people'],
    ['unanswered_question', 'question', 'Answer every question'],
    ['abandoned', 'last:tool.call|tool:x', 'never stop silently'],
    ['timeout', 'tool:crm.lookup|no_result', 'crm.lookup'],
    ['some_new_detector', 'anything', 'some_new_detector'],
  ])('gives %s a guard naming what failed, and no workflow change', (detector, signature, named) => {
    const draft = fallbackDraft(incident(detector, signature), current);
    expect(draft.spec.workflow).toEqual(current.workflow);
    expect(draft.spec.system_prompt).toContain(named);
    expect(draft.spec.system_prompt).toContain(`[${detector}]`);
  });

  it('tightens the policy against a call outside it, and drops a tool the catalog lacks', () => {
    const outside = fallbackDraft(incident('tool_not_allowed', 'policy|tool:refund'), current);
    expect(outside.spec.system_prompt).toContain('never call refund');
    expect(outside.spec.tool_policy).toEqual(current.tool_policy);
    expect(outside.plan.some((s) => s.target === 'investigation' && s.detail.includes('tool.refund'))).toBe(true);

    const unknown = fallbackDraft(incident('tool_not_allowed', 'catalog|tool:ghost', 'unknown_tool'), current);
    expect(unknown.spec.tool_policy.allowed_tools).toEqual(['tool.payments_charge']);
    expect(unknown.plan.some((s) => s.target === 'tool_policy')).toBe(true);
  });

  it('lowers max_tokens for runaway usage when it is set', () => {
    const draft = fallbackDraft(incident('runaway_usage', 'tokens|model:gpt', 'runaway_tokens'), current);
    expect(draft.spec.model_selection.parameters.max_tokens).toBe(3000);
  });

  it('is deterministic and adds its guard once', () => {
    const facts = incident('tool_error', 'tool:payments.charge|error:GatewayError');
    const once = fallbackDraft(facts, current);
    expect(fallbackDraft(facts, current)).toEqual(once);
    const twice = fallbackDraft(facts, once.spec);
    expect(twice.spec.system_prompt).toBe(once.spec.system_prompt);
    expect(twice.spec.workflow).toEqual(once.spec.workflow);
  });
});
