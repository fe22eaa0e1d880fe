import { ValidationAppException } from 'src/common/errors/app.exception';
import type { AgentSpec } from 'src/modules/catalog/registry/specs';
import { applyAgentDiff, diffAgentDocuments, parseAgentDocument, renderAgentDocument } from './agent-document';

const spec = (over: Partial<AgentSpec> = {}): AgentSpec => ({
  display_name: 'Checkout',
  description: null,
  status: 'active',
  system_prompt: 'You take payments.\nBe brief.',
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
  ...over,
});

describe('agent document', () => {
  it('renders sorted keys and the prompt as lines, and reads back the same spec', () => {
    const text = renderAgentDocument(spec());
    expect(text.indexOf('"description"')).toBeLessThan(text.indexOf('"display_name"'));
    expect(text).toContain('"system_prompt": [\n    "You take payments.",\n    "Be brief."\n  ]');
    expect(parseAgentDocument(text)).toEqual(spec());
  });

  it('renders the same spec alike whatever the key order it was built in', () => {
    const reordered = JSON.parse(JSON.stringify(spec(), Object.keys(spec()).reverse())) as AgentSpec;
    expect(renderAgentDocument({ ...reordered, ...spec() })).toBe(renderAgentDocument(spec()));
  });

  it('diffs line by line and the diff applies to the base, giving the proposed definition', () => {
    const proposed = spec({
      system_prompt: 'You take payments.\nBe brief.\nNever claim a failed charge succeeded.',
      workflow: { ...spec().workflow, max_retries: 3 },
    });
    const diff = diffAgentDocuments('agent.checkout', 4, spec(), proposed);
    expect(diff).toContain('--- a/agent.checkout.json\tversion 4');
    expect(diff).toContain('+    "Never claim a failed charge succeeded."');
    expect(diff).toContain('-    "max_retries": 2,');
    expect(parseAgentDocument(applyAgentDiff(spec(), diff)!)).toEqual(proposed);
  });

  it('refuses to apply a diff to a definition it was not made for', () => {
    const diff = diffAgentDocuments(
      'agent.checkout',
      1,
      spec(),
      spec({ workflow: { ...spec().workflow, max_steps: 5 } }),
    );
    expect(applyAgentDiff(spec({ workflow: { ...spec().workflow, max_steps: 12 } }), diff)).toBeNull();
  });

  it('gives an empty diff when nothing changes', () => {
    expect(diffAgentDocuments('agent.checkout', 1, spec(), spec())).toBe('');
  });

  it('validates a patched document like a catalog update', () => {
    const broken = renderAgentDocument(spec()).replace('"max_steps": 10', '"max_steps": 0');
    expect(() => parseAgentDocument(broken)).toThrow(ValidationAppException);
    expect(() => parseAgentDocument('{ not json')).toThrow(ValidationAppException);
    expect(() => parseAgentDocument('[]')).toThrow(ValidationAppException);
  });
});
