import type { AgentSpec } from 'src/modules/catalog/registry/specs';
import { readModelAnswer } from './model-answer';

const current: AgentSpec = {
  display_name: 'Checkout',
  description: 'Takes payments',
  status: 'active',
  system_prompt: 'You take payments.',
  model_selection: { mode: 'deployment_default', model_id: null, provider: null, model: null, parameters: {} },
  tool_policy: { allowed_tools: ['tool.payments_charge'] },
  workflow: {
    max_steps: 10,
    step_timeout_seconds: 120,
    run_timeout_seconds: 900,
    max_retries: 2,
    retry_backoff_seconds: 2,
    parallel_tool_calls: false,
  },
};

const answer = (over: Record<string, unknown> = {}) => ({
  plan: [{ title: 'Guard the charge', detail: 'Say when a charge fails', target: 'system_prompt' }],
  definition: {
    system_prompt: 'You take payments. Say when a charge fails.',
    tool_policy: { allowed_tools: ['tool.payments_charge'] },
    workflow: { max_retries: 3 },
  },
  ...over,
});

describe('readModelAnswer', () => {
  it('takes the strict JSON (also inside a code fence) and keeps what the model may not change', () => {
    const read = readModelAnswer('```json\n' + JSON.stringify(answer()) + '\n```', current);
    expect(read).toEqual({
      ok: true,
      draft: {
        plan: answer().plan,
        spec: {
          ...current,
          system_prompt: 'You take payments. Say when a charge fails.',
          workflow: { ...current.workflow, max_retries: 3 },
        },
      },
    });
  });

  it.each([
    ['no JSON', 'I would add a retry.', 'no JSON object'],
    ['broken JSON', '{"plan": [}', 'not valid JSON'],
    ['a missing plan', JSON.stringify({ definition: answer().definition }), 'breaks the format'],
    ['an unknown field', JSON.stringify(answer({ secret: 'x' })), 'breaks the format'],
    [
      'a bad plan target',
      JSON.stringify(answer({ plan: [{ title: 't', detail: 'd', target: 'db' }] })),
      'breaks the format',
    ],
    [
      'a workflow out of range',
      JSON.stringify(answer({ definition: { ...answer().definition, workflow: { max_steps: 0 } } })),
      'not a valid agent',
    ],
    [
      'a tool that is not a catalog key',
      JSON.stringify(answer({ definition: { ...answer().definition, tool_policy: { allowed_tools: ['rm -rf'] } } })),
      'not a valid agent',
    ],
  ])('refuses %s', (_name, content, problem) => {
    const read = readModelAnswer(content, current);
    expect(read.ok).toBe(false);
    expect(read.ok ? '' : read.problem).toContain(problem);
  });
});
