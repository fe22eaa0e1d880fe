import { EventValidator } from './event-validator';

describe('EventValidator', () => {
  const validator = new EventValidator();

  it('accepts a valid payload of every built-in type', () => {
    const samples: Record<string, unknown> = {
      'session.start': { input: { q: 'hi' } },
      'session.end': { status: 'completed' },
      step: { name: 'plan' },
      'llm.call': { call_id: 'c1', model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] },
      'llm.result': { call_id: 'c1', usage: { input_tokens: 3, output_tokens: 5 } },
      'tool.call': { call_id: 't1', tool: 'search', arguments: { q: 'x' } },
      'tool.result': { call_id: 't1', status: 'error', error: 'timeout' },
      message: { role: 'user', content: 'hello' },
      question: { question_id: 'q1', text: 'Proceed?' },
      answer: { question_id: 'q1', text: 'yes' },
      feedback: { thumbs: 'down', comment: 'wrong tool' },
      error: { message: 'boom' },
      artifact: { artifact_id: '0f8fad5b-d9cb-469f-a165-70867728950e', storage_path: 'w/p/s/a.png' },
    };
    for (const [type, payload] of Object.entries(samples)) expect(validator.check(type, payload)).toEqual({ ok: true });
  });

  it('names the offending field when a payload breaks its schema', () => {
    const result = validator.check('tool.call', { call_id: 't1', tool: 'search' });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining("must have required property 'arguments'") });
    expect(validator.check('session.end', { status: 'maybe' })).toMatchObject({ ok: false });
  });

  it('accepts namespaced custom types with any object payload and refuses unknown bare types', () => {
    expect(validator.check('acme/checkout_started', { cart: 3 })).toEqual({ ok: true });
    expect(validator.check('acme/checkout_started', 'not an object')).toMatchObject({ ok: false });
    expect(validator.check('checkout', {})).toMatchObject({
      ok: false,
      reason: expect.stringContaining('unknown event type'),
    });
  });
});
