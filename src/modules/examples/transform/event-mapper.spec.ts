import type { ChatMessage } from './chat-format';
import { ToolNames } from './chat-format';
import { ConversationAssembler } from './conversation';
import { mapEvent, type SessionEventRecord } from './event-mapper';

const ev = (seq: number, type: string, payload: Record<string, unknown>): SessionEventRecord => ({
  seq,
  subSeq: 0,
  type,
  payload,
});

/** The messages a list of events becomes. */
function conversation(events: SessionEventRecord[], failed: 'drop' | 'keep' = 'drop') {
  const messages: ChatMessage[] = [];
  const assembler = new ConversationAssembler(failed, new ToolNames(), (m) => messages.push(m));
  for (const event of events) for (const item of mapEvent(event)) assembler.push(item);
  assembler.end();
  return { messages, dropped: assembler.dropped.entries() };
}

describe('mapEvent', () => {
  it('reads tool calls in OpenAI, GenAI-parts and Anthropic shapes, deriving missing ids from the seq', () => {
    const items = mapEvent(
      ev(7, 'llm.result', {
        call_id: 'l',
        message: {
          role: 'assistant',
          content: [
            { type: 'text', text: 'one' },
            { type: 'tool_use', id: 'tu1', name: 'search', input: { q: 'x' } },
            { type: 'image', url: 'x' },
          ],
          tool_calls: [{ type: 'function', function: { name: 'calc', arguments: { b: 2, a: 1 } } }],
        },
      }),
    );
    expect(items).toEqual([
      {
        kind: 'assistant',
        content: 'one',
        calls: [
          { id: 'call_7_0', name: 'calc', arguments: '{"a":1,"b":2}' },
          { id: 'tu1', name: 'search', arguments: '{"q":"x"}' },
        ],
      },
      { kind: 'skip', reason: 'non_text_content_part' },
    ]);
    expect(
      mapEvent(
        ev(1, 'llm.result', {
          call_id: 'l',
          message: { role: 'assistant', parts: [{ type: 'tool_call', id: 'g1', name: 'f', arguments: '{"k":"v"}' }] },
        }),
      ),
    ).toEqual([{ kind: 'assistant', content: null, calls: [{ id: 'g1', name: 'f', arguments: '{"k":"v"}' }] }]);
  });

  it('marks arguments that are not a JSON object as unusable', () => {
    const [item] = mapEvent(
      ev(1, 'llm.result', {
        call_id: 'l',
        message: { tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{oops' } }] },
      }),
    );
    expect(item).toMatchObject({ calls: [{ id: 'c', arguments: null }] });
  });

  it('maps an operator message to the user and ignores events without conversation', () => {
    expect(mapEvent(ev(1, 'message', { role: 'operator', content: 'stop that' }))).toEqual([
      { kind: 'user', content: 'stop that' },
    ]);
    expect(mapEvent(ev(2, 'error', { message: 'boom' }))).toEqual([]);
    expect(mapEvent(ev(3, 'llm.result', { call_id: 'l' }))).toEqual([{ kind: 'skip', reason: 'empty_llm_result' }]);
  });
});

describe('ConversationAssembler', () => {
  it('rebuilds a conversation logged only as LLM requests and answers (OTLP GenAI style)', () => {
    const { messages, dropped } = conversation([
      ev(1, 'llm.call', {
        call_id: 'a',
        model: 'm',
        messages: [
          { role: 'system', content: 'sys' },
          { role: 'user', content: 'weather in Paris?' },
        ],
      }),
      ev(2, 'llm.result', {
        call_id: 'a',
        message: {
          role: 'assistant',
          tool_calls: [{ id: 'w1', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
        },
      }),
      ev(3, 'llm.call', {
        call_id: 'b',
        model: 'm',
        messages: [
          { role: 'system', content: 'sys' },
          { role: 'user', content: 'weather in Paris?' },
          { role: 'assistant', tool_calls: [{ id: 'w1' }] },
          { role: 'tool', tool_call_id: 'w1', content: 'sunny' },
        ],
      }),
      ev(4, 'llm.result', { call_id: 'b', message: { role: 'assistant', content: 'Sunny.' } }),
    ]);
    expect(messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'weather in Paris?' },
      {
        role: 'assistant',
        tool_calls: [{ id: 'w1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'w1', content: 'sunny' },
      { role: 'assistant', content: 'Sunny.' },
    ]);
    expect(dropped).toEqual([]);
  });

  it('starts a new assistant message for a call made after results, and drops orphans and unanswered calls', () => {
    const { messages, dropped } = conversation([
      ev(1, 'message', { role: 'user', content: 'go' }),
      ev(2, 'tool.call', { call_id: 'a', tool: 'f', arguments: {} }),
      ev(3, 'tool.result', { call_id: 'a', status: 'ok', output: 'A' }),
      ev(4, 'tool.call', { call_id: 'b', tool: 'f', arguments: {} }),
      ev(5, 'tool.result', { call_id: 'zzz', status: 'ok', output: 'orphan' }),
      ev(6, 'message', { role: 'assistant', content: 'done' }),
      ev(7, 'tool.call', { call_id: 'c', tool: 'f', arguments: { last: true } }),
    ]);
    expect(messages.map((m) => [m.role, 'tool_calls' in m ? m.tool_calls!.map((c) => c.id) : null])).toEqual([
      ['user', null],
      ['assistant', ['a']],
      ['tool', null],
      // The session ends on a call of the last answer: kept, a tool-calling target.
      ['assistant', ['c']],
    ]);
    expect(messages[3]).toMatchObject({ content: 'done' });
    expect(dropped).toEqual([
      { reason: 'empty_assistant_message', count: 1 },
      { reason: 'tool_call_without_result', count: 1 },
      { reason: 'tool_result_without_call', count: 1 },
    ]);
  });

  it('merges a call the model listed with the tool.call the agent logged, and skips repeated answers', () => {
    const { messages, dropped } = conversation([
      ev(1, 'message', { role: 'user', content: 'hi' }),
      ev(2, 'llm.result', {
        call_id: 'l',
        message: { content: 'Hello', tool_calls: [{ id: 'x', function: { name: 'f', arguments: '{}' } }] },
      }),
      ev(3, 'tool.call', { call_id: 'x', tool: 'f', arguments: { ignored: 1 } }),
      ev(4, 'tool.result', { call_id: 'x', status: 'ok', output: { v: 1 } }),
      ev(5, 'tool.result', { call_id: 'x', status: 'ok', output: { v: 2 } }),
      ev(6, 'llm.result', { call_id: 'm', output: 'Bye' }),
      ev(7, 'message', { role: 'assistant', content: 'Bye' }),
      ev(8, 'message', { role: 'user', content: 'hi' }),
      ev(9, 'message', { role: 'user', content: 'hi' }),
    ]);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
    expect(messages[1]).toMatchObject({ tool_calls: [{ id: 'x', function: { arguments: '{}' } }] });
    expect(messages[2]).toEqual({ role: 'tool', tool_call_id: 'x', content: '{"v":1}' });
    expect(dropped).toEqual([
      { reason: 'duplicate_assistant_message', count: 1 },
      { reason: 'duplicate_tool_result', count: 1 },
      { reason: 'duplicate_user_message', count: 1 },
    ]);
  });

  it('caps the calls of one assistant message', () => {
    const events = [ev(1, 'message', { role: 'user', content: 'fan out' })];
    for (let i = 0; i < 130; i++) events.push(ev(2 + i, 'tool.call', { call_id: `c${i}`, tool: 'f', arguments: {} }));
    const { messages, dropped } = conversation(events);
    expect(messages[1]).toMatchObject({ role: 'assistant' });
    expect((messages[1] as { tool_calls: unknown[] }).tool_calls).toHaveLength(128);
    expect(dropped).toEqual([{ reason: 'tool_calls_over_limit', count: 2 }]);
  });
});
