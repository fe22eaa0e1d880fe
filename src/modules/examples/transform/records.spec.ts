import type { ChatTool } from './chat-format';
import { NO_FILTER, type SessionEventRecord } from './event-mapper';
import { PiiRedactor, resolvePiiPatterns } from './pii';
import { emptyRecordStats, planTransform, type TransformSettings, writeRecords } from './records';

/** A support agent's run: system prompt, task, a model answer with a call, a failed call, a question. */
function supportRun(): SessionEventRecord[] {
  const events: [string, Record<string, unknown>][] = [
    [
      'session.start',
      { input: { text: 'Refund order A-17' }, metadata: { system_prompt: 'You are a support agent.' } },
    ],
    ['message', { role: 'user', content: 'Where is my refund? Mail me at jane.doe@example.com' }],
    ['step', { name: 'plan' }],
    [
      'llm.call',
      {
        call_id: 'l1',
        model: 'gpt-x',
        messages: [
          { role: 'system', content: 'You are a support agent.' },
          { role: 'user', content: 'Where is my refund? Mail me at jane.doe@example.com' },
        ],
      },
    ],
    [
      'llm.result',
      {
        call_id: 'l1',
        message: {
          role: 'assistant',
          content: 'Looking it up',
          tool_calls: [
            { id: 't1', type: 'function', function: { name: 'orders.lookup', arguments: '{"order_id":"A-17"}' } },
          ],
        },
      },
    ],
    ['tool.call', { call_id: 't1', tool: 'orders.lookup', arguments: { order_id: 'A-17' } }],
    ['tool.result', { call_id: 't1', tool: 'orders.lookup', status: 'ok', output: { status: 'shipped', b: 1 } }],
    ['tool.call', { call_id: 't2', tool: 'payments.refund', arguments: { order_id: 'A-17', amount: 12.5 } }],
    ['tool.result', { call_id: 't2', status: 'error', error: 'card processor timed out', error_class: 'Timeout' }],
    ['error', { message: 'refund failed' }],
    ['question', { question_id: 'q1', text: 'Retry the refund?' }],
    ['answer', { question_id: 'q1', text: 'yes' }],
    ['message', { role: 'assistant', content: [{ type: 'text', text: 'I will retry.' }] }],
    ['session.end', { status: 'completed' }],
  ];
  return events.map(([type, payload], i) => ({ seq: i + 1, subSeq: 0, type, payload }));
}

async function* stream(events: SessionEventRecord[]) {
  for (const event of events) yield await Promise.resolve(event);
}

const TOOLS: ChatTool[] = [
  {
    type: 'function',
    function: { name: 'orders_lookup', description: 'Find an order', parameters: { type: 'object' } },
  },
  { type: 'function', function: { name: 'payments_refund', parameters: { type: 'object' } } },
];

const settings = (overrides: Partial<TransformSettings> = {}): TransformSettings => ({
  split: 'whole_session',
  failedToolCalls: 'drop',
  maxMessagesPerRecord: 50,
  filter: NO_FILTER,
  ...overrides,
});

async function build(events: SessionEventRecord[], s: TransformSettings, tools = TOOLS) {
  const plan = await planTransform(stream(events), s);
  const stats = emptyRecordStats();
  let text = '';
  for await (const chunk of writeRecords(stream(events), s, plan, tools, stats)) text += chunk;
  const lines = text.split('\n').filter(Boolean);
  return { plan, stats, text, records: lines.map((l) => JSON.parse(l) as { messages: Record<string, unknown>[] }) };
}

describe('chat fine-tuning records from session events', () => {
  it('writes the whole session as one conversation, failed calls dropped, in OpenAI chat format', async () => {
    const { records, stats, plan, text } = await build(supportRun(), settings());

    expect(plan.usedTools).toEqual(['orders.lookup']);
    expect(records).toHaveLength(1);
    expect(records[0].messages).toEqual([
      { role: 'system', content: 'You are a support agent.' },
      { role: 'user', content: 'Refund order A-17' },
      { role: 'user', content: 'Where is my refund? Mail me at jane.doe@example.com' },
      {
        role: 'assistant',
        content: 'Looking it up',
        tool_calls: [
          { id: 't1', type: 'function', function: { name: 'orders_lookup', arguments: '{"order_id":"A-17"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 't1', content: '{"b":1,"status":"shipped"}' },
      { role: 'assistant', content: 'Retry the refund?' },
      { role: 'user', content: 'yes' },
      { role: 'assistant', content: 'I will retry.' },
    ]);
    expect(
      text.endsWith(
        `],"tools":[{"type":"function","function":{"name":"orders_lookup","description":"Find an order","parameters":{"type":"object"}}},{"type":"function","function":{"name":"payments_refund","parameters":{"type":"object"}}}]}\n`,
      ),
    ).toBe(true);
    expect(stats.recordsWritten).toBe(1);
    expect(stats.recordsSkipped.total).toBe(0);
    // t2 failed: its call and its result are left out; the assistant turn that held only t2 goes too.
    expect(stats.dropped.entries()).toEqual([
      { reason: 'empty_assistant_message', count: 1 },
      { reason: 'failed_tool_call', count: 1 },
    ]);
  });

  it('keeps a failed call with its error as the tool message when asked', async () => {
    const { records } = await build(supportRun(), settings({ failedToolCalls: 'keep' }));
    const messages = records[0].messages;
    expect(messages[5]).toEqual({
      role: 'assistant',
      tool_calls: [
        {
          id: 't2',
          type: 'function',
          function: { name: 'payments_refund', arguments: '{"amount":12.5,"order_id":"A-17"}' },
        },
      ],
    });
    expect(messages[6]).toEqual({
      role: 'tool',
      tool_call_id: 't2',
      content: '{"error":"card processor timed out","error_class":"Timeout"}',
    });
  });

  it('gives the same bytes for the same events and settings', async () => {
    for (const split of ['whole_session', 'per_assistant_turn'] as const) {
      const a = await build(supportRun(), settings({ split }));
      const b = await build(supportRun(), settings({ split }));
      expect(a.text).toBe(b.text);
      expect(a.text.length).toBeGreaterThan(0);
    }
  });

  it('writes one record per assistant turn, earlier answers weighted 0, the target last', async () => {
    const { records, stats } = await build(supportRun(), settings({ split: 'per_assistant_turn' }));
    expect(records).toHaveLength(3);
    expect(records.map((r) => r.messages.length)).toEqual([4, 6, 8]);
    for (const record of records) {
      const last = record.messages[record.messages.length - 1];
      expect(last.role).toBe('assistant');
      expect(last.weight).toBeUndefined();
      const earlier = record.messages.slice(0, -1).filter((m) => m.role === 'assistant');
      expect(earlier.every((m) => m.weight === 0)).toBe(true);
    }
    expect(stats.recordsWritten).toBe(3);
  });

  it('bounds a per-turn record to its window, keeping the system prompt and the task pinned', async () => {
    const { records } = await build(supportRun(), settings({ split: 'per_assistant_turn', maxMessagesPerRecord: 4 }));
    const last = records[2].messages;
    expect(last).toHaveLength(4);
    expect(last[0]).toEqual({ role: 'system', content: 'You are a support agent.' });
    expect(last[1]).toEqual({ role: 'user', content: 'Refund order A-17' });
    expect(last.slice(2)).toEqual([
      { role: 'user', content: 'yes' },
      { role: 'assistant', content: 'I will retry.' },
    ]);
    // The second record's window would start at the tool message; its call is cut off, so it goes.
    expect(records[1].messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
  });

  it('skips a session without an assistant message and says why', async () => {
    const events = supportRun().filter((e) => ['session.start', 'message', 'step'].includes(e.type));
    const onlyUser = events.filter((e) => e.payload.role !== 'assistant');
    const { records, stats } = await build(onlyUser, settings());
    expect(records).toEqual([]);
    expect(stats.recordsSkipped.entries()).toEqual([{ reason: 'no_assistant_message', count: 1 }]);
  });

  it('cuts the whole-session record after its last assistant message', async () => {
    const events = [
      ...supportRun(),
      { seq: 99, subSeq: 0, type: 'message', payload: { role: 'user', content: 'thanks' } },
    ];
    const { records, stats } = await build(events, settings());
    expect(records[0].messages.at(-1)).toEqual({ role: 'assistant', content: 'I will retry.' });
    expect(stats.dropped.entries()).toContainEqual({ reason: 'after_last_assistant_message', count: 1 });
  });

  it('skips per-turn records that call a function missing from tools', async () => {
    const { stats, records } = await build(
      supportRun(),
      settings({ split: 'per_assistant_turn', failedToolCalls: 'keep' }),
      [TOOLS[0]],
    );
    // payments_refund is called by the second target, and every later record holds that call as context.
    expect(stats.recordsSkipped.entries()).toEqual([{ reason: 'unknown_tool', count: 3 }]);
    expect(records).toHaveLength(1);
  });

  it('redacts emails and keys before writing when a redactor is given', async () => {
    const redactor = new PiiRedactor(resolvePiiPatterns(['email', 'api_key'], {}));
    const events = supportRun();
    events[7].payload.arguments = { order_id: 'A-17', token: 'sk-proj-abcdefghijklmnopqrstuvwx' };
    const { text } = await build(events, settings({ filter: redactor, failedToolCalls: 'keep' }));
    expect(text).not.toContain('jane.doe@example.com');
    expect(text).not.toContain('sk-proj-abcdefghijklmnopqrstuvwx');
    expect(text).toContain('\\"token\\":\\"[redacted:api_key]\\"');
    expect(text).toContain('Mail me at [redacted:email]');
    expect(redactor.redactions).toBeGreaterThan(0);
  });
});
