import { messageJson, messageProblem, ToolNames, toolsJson } from './chat-format';

describe('chat format', () => {
  it('serializes messages with a fixed key order and weight only on assistant messages', () => {
    const call = { id: 'c1', type: 'function' as const, function: { arguments: '{}', name: 'f' } };
    expect(messageJson({ tool_calls: [call], role: 'assistant' }, 0)).toBe(
      '{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}],"weight":0}',
    );
    expect(messageJson({ content: 'hi', role: 'user' })).toBe('{"role":"user","content":"hi"}');
    expect(messageJson({ content: 'x', tool_call_id: 'c1', role: 'tool' })).toBe(
      '{"role":"tool","tool_call_id":"c1","content":"x"}',
    );
  });

  it('writes tools sorted by name with canonical schemas', () => {
    const json = toolsJson([
      { type: 'function', function: { name: 'b', parameters: { type: 'object', properties: { z: {}, a: {} } } } },
      { type: 'function', function: { name: 'a', description: 'first', parameters: {} } },
    ]);
    expect(json).toBe(
      '[{"type":"function","function":{"name":"a","description":"first","parameters":{}}},' +
        '{"type":"function","function":{"name":"b","parameters":{"properties":{"a":{},"z":{}},"type":"object"}}}]',
    );
  });

  it('maps tool names to allowed function names, one name per original, collisions suffixed', () => {
    const names = new ToolNames();
    expect(names.nameOf('orders.lookup')).toBe('orders_lookup');
    expect(names.nameOf('orders_lookup')).toBe('orders_lookup_2');
    expect(names.nameOf('orders.lookup')).toBe('orders_lookup');
    expect(names.nameOf('x'.repeat(80))).toHaveLength(64);
    expect(names.nameOf('y'.repeat(64))).toBe('y'.repeat(64));
    expect(names.nameOf('y'.repeat(70))).toBe(`${'y'.repeat(62)}_2`);
    expect(names.nameOf('***')).toBe('___');
    expect(names.originals()).toEqual([
      'orders.lookup',
      'orders_lookup',
      'x'.repeat(80),
      'y'.repeat(64),
      'y'.repeat(70),
      '***',
    ]);
  });

  it('names what makes a single message invalid', () => {
    const call = (over: Record<string, unknown> = {}) => ({
      id: 'c1',
      type: 'function' as const,
      function: { name: 'f', arguments: '{"a":1}', ...over },
    });
    expect(messageProblem({ role: 'user', content: '' })).toMatch(/without content/);
    expect(messageProblem({ role: 'assistant' })).toMatch(/neither|without content or tool_calls/);
    expect(messageProblem({ role: 'assistant', content: '' })).toMatch(/empty/);
    expect(messageProblem({ role: 'assistant', tool_calls: [call({ name: 'a.b' })] })).toMatch(/not allowed/);
    expect(messageProblem({ role: 'assistant', tool_calls: [call({ arguments: '[1]' })] })).toMatch(/JSON object/);
    expect(messageProblem({ role: 'assistant', tool_calls: [call(), call()] })).toMatch(/repeated/);
    expect(messageProblem({ role: 'tool', tool_call_id: '', content: 'x' })).toMatch(/tool_call_id/);
    expect(messageProblem({ role: 'assistant', tool_calls: [call()] })).toBeNull();
  });
});
