import type { ChatMessage } from './chat-format';
import { checkRecord, RecordChecker } from './record-checker';

const user: ChatMessage = { role: 'user', content: 'q' };
const answer: ChatMessage = { role: 'assistant', content: 'a' };
const calling = (...ids: string[]): ChatMessage => ({
  role: 'assistant',
  tool_calls: ids.map((id) => ({ id, type: 'function', function: { name: 'f', arguments: '{}' } })),
});
const result = (id: string): ChatMessage => ({ role: 'tool', tool_call_id: id, content: 'r' });

describe('RecordChecker', () => {
  it('accepts a conversation whose calls are all answered and that ends with the assistant', () => {
    expect(checkRecord([user, calling('1', '2'), result('2'), result('1'), answer])).toBeNull();
  });

  it('accepts a record that ends on an assistant tool call (the target is the call)', () => {
    expect(checkRecord([user, calling('1')])).toBeNull();
  });

  it.each([
    [[user], 'no_assistant_message'],
    [[user, answer, user], 'last_message_not_assistant'],
    [[answer], 'no_prompt_message'],
    [[user, result('9'), answer], 'tool_message_without_call'],
    [[user, calling('1'), result('1'), result('1'), answer], 'tool_message_without_call'],
    [[user, calling('1', '2'), result('1'), answer], 'tool_call_without_result'],
    [[user, { role: 'assistant' }], 'invalid_message'],
  ] as [ChatMessage[], string][])('refuses %j: %s', (messages, reason) => {
    expect(checkRecord(messages)).toBe(reason);
  });

  it('refuses calls of functions missing from tools', () => {
    expect(checkRecord([user, calling('1')], new Set(['g']))).toBe('unknown_tool');
    expect(checkRecord([user, calling('1')], new Set(['f']))).toBeNull();
  });

  it('judges a record cut after its last assistant message, ignoring problems after the cut', () => {
    const checker = new RecordChecker();
    for (const m of [user, calling('1', '2'), result('1'), user]) checker.push(m);
    expect(checker.verdict()).toBe('tool_call_without_result');
    expect(checker.verdict(checker.lastAssistantIndex)).toBeNull();
    expect(() => checker.verdict(0)).toThrow(RangeError);
  });
});
