import { spanIdToUuid, traceIdToUuid } from './otlp-ids';
import { mapExportRequest, nanosToIso } from './otlp-mapper';
import {
  at,
  expectValidEvents,
  genAiTree,
  LLM,
  request,
  RFC_UUID,
  ROOT,
  span,
  TOOL,
  TRACE,
} from './otlp-mapper.fixtures';
import type { OtlpAttributes } from './otlp.types';

describe('OTLP → runs mapping', () => {
  describe('ids', () => {
    it('maps a trace id to an RFC UUIDv8 that keeps the other 122 bits of the trace id', () => {
      const id = traceIdToUuid(TRACE);
      expect(id).toMatch(RFC_UUID);
      expect(id).toBe('5b8efff7-9803-8103-9269-b633813fc60c');
      expect(traceIdToUuid('ffffffffffffffffffffffffffffffff')).toBe('ffffffff-ffff-8fff-bfff-ffffffffffff');
      expect(traceIdToUuid(TRACE.toUpperCase())).toBe(id);
    });

    it('derives the same run id from the same trace and span ids, and different ones otherwise', () => {
      const id = spanIdToUuid(TRACE, LLM);
      expect(id).toMatch(RFC_UUID);
      expect(id[14]).toBe('5'); // UUIDv5
      expect(spanIdToUuid(TRACE, LLM)).toBe(id);
      expect(spanIdToUuid(TRACE.toUpperCase(), LLM.toUpperCase())).toBe(id);
      expect(spanIdToUuid(TRACE, ROOT)).not.toBe(id);
      expect(spanIdToUuid('0af7651916cd43dd8448eb211c80319c', LLM)).not.toBe(id);
    });

    it('maps a re-sent request to exactly the same runs and events', () => {
      const first = mapExportRequest(request(genAiTree()));
      const again = mapExportRequest(request(genAiTree()));
      expect(again).toEqual(first);
    });

    it('links a child to its parent by the parent span id even when the parent is not in the request', () => {
      const { runs } = mapExportRequest(request([genAiTree()[1]]));
      expect(runs[0]).toMatchObject({
        id: spanIdToUuid(TRACE, LLM),
        trace_id: traceIdToUuid(TRACE),
        parent_run_id: spanIdToUuid(TRACE, ROOT),
      });
      expect(runs[0].dotted_order).toBeUndefined();
    });
  });

  describe('the GenAI span tree', () => {
    const mapping = mapExportRequest(request(genAiTree()));
    const byId = new Map(mapping.runs.map((r) => [r.id, r]));
    const root = byId.get(spanIdToUuid(TRACE, ROOT))!;
    const llm = byId.get(spanIdToUuid(TRACE, LLM))!;
    const tool = byId.get(spanIdToUuid(TRACE, TOOL))!;

    it('keeps the tree: one trace, the root without parent, both children under it', () => {
      expect(mapping.rejected).toEqual([]);
      expect(mapping.runs).toHaveLength(3);
      expect(new Set(mapping.runs.map((r) => r.trace_id))).toEqual(new Set([traceIdToUuid(TRACE)]));
      expect(root.parent_run_id).toBeNull();
      expect(llm.parent_run_id).toBe(root.id);
      expect(tool.parent_run_id).toBe(root.id);
    });

    it('builds dotted orders from microsecond start times that sort depth-first in time order', () => {
      expect(root.dotted_order).toBe(`20250101T120000000000Z${root.id}`);
      expect(llm.dotted_order).toBe(`${root.dotted_order}.20250101T120000100123Z${llm.id}`);
      expect(tool.dotted_order).toBe(`${root.dotted_order}.20250101T120001200000Z${tool.id}`);
      const sorted = [...mapping.runs].sort((a, b) => a.dotted_order!.localeCompare(b.dotted_order!));
      expect(sorted.map((r) => r.id)).toEqual([root.id, llm.id, tool.id]);
    });

    it('sets names, run types, times with microseconds and status', () => {
      expect(root).toMatchObject({ name: 'invoke_agent support', run_type: 'chain', error: null });
      expect(llm).toMatchObject({
        name: 'chat gpt-4o',
        run_type: 'llm',
        start_time: '2025-01-01T12:00:00.100123Z',
        end_time: '2025-01-01T12:00:01.100123Z',
        error: null,
      });
      expect(tool).toMatchObject({ run_type: 'tool', error: 'order 42 is not refundable' });
    });

    it('reads messages, model, usage and parameters of the chat span', () => {
      expect(llm.inputs).toEqual({
        messages: [{ role: 'user', parts: [{ type: 'text', content: 'Refund order 42' }] }],
      });
      expect(llm.outputs).toEqual({
        messages: [expect.objectContaining({ role: 'assistant', finish_reason: 'tool_calls' })],
        usage_metadata: { input_tokens: 12, output_tokens: 7, total_tokens: 19 },
      });
      expect(llm.extra).toMatchObject({
        metadata: {
          ls_provider: 'openai',
          ls_model_name: 'gpt-4o-2024-08-06',
          usage_metadata: { input_tokens: 12, output_tokens: 7, total_tokens: 19 },
          agent_name: 'support-agent',
          service_name: 'support-agent',
        },
      });
    });

    it('emits llm.call and llm.result for the chat span', () => {
      expect(mapping.events.get(llm.id)).toEqual([
        {
          type: 'llm.call',
          key: `otel:${LLM}:llm.call`,
          timestamp: '2025-01-01T12:00:00.100123Z',
          payload: {
            call_id: llm.id,
            model: 'gpt-4o',
            messages: (llm.inputs as { messages: unknown[] }).messages,
            parameters: { temperature: 0.2 },
          },
        },
        {
          type: 'llm.result',
          key: `otel:${LLM}:llm.result`,
          timestamp: '2025-01-01T12:00:01.100123Z',
          payload: {
            call_id: llm.id,
            model: 'gpt-4o-2024-08-06',
            message: (llm.outputs as { messages: unknown[] }).messages[0],
            output: llm.outputs,
            usage: { input_tokens: 12, output_tokens: 7, total_tokens: 19 },
            finish_reason: 'tool_calls',
            latency_ms: 1000,
          },
        },
      ]);
    });

    it('emits tool.call, the exception as an error event and a failed tool.result, in time order', () => {
      expect(tool.inputs).toEqual({ order: 42 });
      expect(mapping.events.get(tool.id)).toEqual([
        {
          type: 'tool.call',
          key: `otel:${TOOL}:tool.call`,
          timestamp: '2025-01-01T12:00:01.200000Z',
          payload: { call_id: 'call_1', tool: 'refund', arguments: { order: 42 } },
        },
        {
          type: 'error',
          key: `otel:${TOOL}:event:0`,
          timestamp: '2025-01-01T12:00:01.499000Z',
          payload: {
            message: 'order 42 is not refundable',
            kind: 'RefundError',
            stack: expect.stringContaining('at refund'),
          },
        },
        {
          type: 'tool.result',
          key: `otel:${TOOL}:tool.result`,
          timestamp: '2025-01-01T12:00:01.500000Z',
          payload: {
            call_id: 'call_1',
            tool: 'refund',
            status: 'error',
            error: 'order 42 is not refundable',
            latency_ms: 300,
          },
        },
      ]);
    });

    it('emits no typed events for a chain span and only schema-valid payloads overall', () => {
      expect(mapping.events.has(root.id)).toBe(false);
      expectValidEvents(mapping);
    });

    it('keeps unknown and resource attributes, the scope and the hex ids', () => {
      expect(root.extra).toMatchObject({
        metadata: {
          agent_name: 'support',
          otel: {
            trace_id: TRACE,
            span_id: ROOT,
            parent_span_id: null,
            kind: 'SPAN_KIND_INTERNAL',
            status: { code: 'STATUS_CODE_UNSET' },
            scope: { name: 'test-scope', version: '1.0.0' },
            resource: { attributes: { 'service.name': 'support-agent' } },
            attributes: {
              'custom.tenant': 'acme',
              'gen_ai.operation.name': 'invoke_agent',
              'gen_ai.agent.name': 'support',
            },
          },
        },
      });
      // Content that became inputs/outputs is not stored twice; the rest of the attributes stays.
      const llmAttributes = (llm.extra as { metadata: { otel: { attributes: OtlpAttributes } } }).metadata.otel
        .attributes;
      expect(llmAttributes).not.toHaveProperty(['gen_ai.input.messages']);
      expect(llmAttributes).toMatchObject({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 12 });
    });
  });

  describe('other GenAI forms', () => {
    it('reads the legacy indexed gen_ai.prompt/completion attributes and prompt/completion token names', () => {
      const { runs, events } = mapExportRequest(
        request([
          span({
            attributes: {
              'gen_ai.system': 'openai',
              'llm.request.type': 'chat',
              'gen_ai.request.model': 'gpt-3.5-turbo',
              'gen_ai.prompt.0.role': 'system',
              'gen_ai.prompt.0.content': 'Be brief',
              'gen_ai.prompt.1.role': 'user',
              'gen_ai.prompt.1.content': 'Hi',
              'gen_ai.completion.0.role': 'assistant',
              'gen_ai.completion.0.content': 'Hello',
              'gen_ai.completion.0.finish_reason': 'stop',
              'gen_ai.usage.prompt_tokens': 9,
              'gen_ai.usage.completion_tokens': 2,
            },
          }),
        ]),
      );
      expect(runs[0]).toMatchObject({
        run_type: 'llm',
        inputs: {
          messages: [
            { role: 'system', content: 'Be brief' },
            { role: 'user', content: 'Hi' },
          ],
        },
        outputs: { messages: [{ role: 'assistant', content: 'Hello', finish_reason: 'stop' }] },
      });
      expect(events.get(runs[0].id)![1].payload).toMatchObject({
        usage: { input_tokens: 9, output_tokens: 2, total_tokens: 11 },
        finish_reason: 'stop',
        message: { role: 'assistant', content: 'Hello' },
      });
    });

    it('reads GenAI message and choice span events', () => {
      const mapping = mapExportRequest(
        request([
          span({
            attributes: { 'gen_ai.operation.name': 'text_completion', 'gen_ai.request.model': 'm' },
            events: [
              { name: 'gen_ai.system.message', timeUnixNano: at(1), attributes: { content: 'Be kind' } },
              { name: 'gen_ai.user.message', timeUnixNano: at(2), attributes: { content: 'Hi' } },
              {
                name: 'gen_ai.choice',
                timeUnixNano: at(3),
                attributes: { index: 0, finish_reason: 'stop', message: { content: 'Hello', role: 'assistant' } },
              },
              { name: 'custom.checkpoint', timeUnixNano: at(4), attributes: { step: 2 } },
            ],
          }),
        ]),
      );
      const run = mapping.runs[0];
      expect(run.inputs).toEqual({
        messages: [
          { role: 'system', content: 'Be kind' },
          { role: 'user', content: 'Hi' },
        ],
      });
      expect(run.outputs).toEqual({
        messages: [{ role: 'assistant', content: 'Hello', finish_reason: 'stop', index: 0 }],
      });
      expect(run.extra).toMatchObject({
        metadata: {
          otel: {
            events: [{ name: 'custom.checkpoint', time: '2025-01-01T12:00:00.004000Z', attributes: { step: 2 } }],
          },
        },
      });
      expectValidEvents(mapping);
    });

    it('keeps content it cannot read as messages among the attributes instead of losing it', () => {
      const { runs } = mapExportRequest(
        request([
          span({
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.input.messages': 'not json',
              'llm.input_messages.role': 'user',
            },
          }),
        ]),
      );
      expect(runs[0].inputs).toBeNull();
      expect(runs[0].extra).toMatchObject({
        metadata: { otel: { attributes: { 'gen_ai.input.messages': 'not json', 'llm.input_messages.role': 'user' } } },
      });
    });

    it('maps every GenAI operation name to its run type', () => {
      const cases: [string, string][] = [
        ['chat', 'llm'],
        ['text_completion', 'llm'],
        ['generate_content', 'llm'],
        ['embeddings', 'embedding'],
        ['execute_tool', 'tool'],
        ['invoke_agent', 'chain'],
        ['create_agent', 'chain'],
        ['something_new', 'chain'],
      ];
      for (const [operation, runType] of cases) {
        const { runs } = mapExportRequest(request([span({ attributes: { 'gen_ai.operation.name': operation } })]));
        expect([operation, runs[0].run_type]).toEqual([operation, runType]);
      }
    });

    it('gives an llm span without a model "unknown" as the model its llm.call requires', () => {
      const mapping = mapExportRequest(request([span({ attributes: { 'gen_ai.operation.name': 'chat' } })]));
      expect(mapping.events.get(mapping.runs[0].id)![0].payload).toEqual({
        call_id: mapping.runs[0].id,
        model: 'unknown',
      });
      expectValidEvents(mapping);
    });
  });

  describe('status and errors', () => {
    it('uses the exception message when an ERROR status has no message', () => {
      const { runs } = mapExportRequest(
        request([
          span({
            status: { code: 2, message: '' },
            events: [{ name: 'exception', timeUnixNano: at(5), attributes: { 'exception.message': 'boom' } }],
          }),
        ]),
      );
      expect(runs[0].error).toBe('boom');
    });

    it('answers "error" for an ERROR status with neither message nor exception', () => {
      expect(mapExportRequest(request([span({ status: { code: 2, message: '' } })])).runs[0].error).toBe('error');
    });

    it('does not fail an OK span that recorded a handled exception, but still logs the error event', () => {
      const mapping = mapExportRequest(
        request([
          span({
            status: { code: 1, message: '' },
            events: [{ name: 'exception', timeUnixNano: at(5), attributes: { 'exception.type': 'Timeout' } }],
          }),
        ]),
      );
      expect(mapping.runs[0].error).toBeNull();
      expect(mapping.events.get(mapping.runs[0].id)).toEqual([
        {
          type: 'error',
          key: `otel:${ROOT}:event:0`,
          timestamp: '2025-01-01T12:00:00.005000Z',
          payload: { message: 'Timeout', kind: 'Timeout' },
        },
      ]);
    });

    it('maps a span without an end as running and emits no result events for it', () => {
      const mapping = mapExportRequest(
        request([span({ endTimeUnixNano: '0', attributes: { 'gen_ai.operation.name': 'execute_tool' } })]),
      );
      expect(mapping.runs[0].end_time).toBeNull();
      expect(mapping.events.get(mapping.runs[0].id)!.map((e) => e.type)).toEqual(['tool.call']);
    });
  });

  describe('refused spans', () => {
    it('refuses invalid spans with a reason and keeps the valid ones', () => {
      const mapping = mapExportRequest(
        request([
          span({ spanId: 'aaaaaaaaaaaaaaaa' }),
          span({ traceId: 'abc', spanId: 'bbbbbbbbbbbbbbbb' }),
          span({ traceId: '0'.repeat(32), spanId: 'cccccccccccccccc' }),
          span({ spanId: '0000000000000000' }),
          span({ spanId: 'dddddddddddddddd', parentSpanId: '12' }),
          span({ spanId: 'eeeeeeeeeeeeeeee', startTimeUnixNano: '' }),
          span({ spanId: 'ffffffffffffffff', startTimeUnixNano: at(10), endTimeUnixNano: at(5) }),
          span({ spanId: '1111111111111111', startTimeUnixNano: '300000000000000000000' }),
        ]),
      );
      expect(mapping.runs.map((r) => r.id)).toEqual([spanIdToUuid(TRACE, 'aaaaaaaaaaaaaaaa')]);
      expect(mapping.rejected).toEqual([
        { traceId: 'abc', spanId: 'bbbbbbbbbbbbbbbb', reason: expect.stringMatching(/^traceId must be 16 bytes/) },
        { traceId: '0'.repeat(32), spanId: 'cccccccccccccccc', reason: expect.stringMatching(/^traceId/) },
        { traceId: TRACE, spanId: '0000000000000000', reason: expect.stringMatching(/^spanId/) },
        { traceId: TRACE, spanId: 'dddddddddddddddd', reason: expect.stringMatching(/^parentSpanId/) },
        { traceId: TRACE, spanId: 'eeeeeeeeeeeeeeee', reason: expect.stringMatching(/^startTimeUnixNano is required/) },
        { traceId: TRACE, spanId: 'ffffffffffffffff', reason: 'endTimeUnixNano is before startTimeUnixNano' },
        { traceId: TRACE, spanId: '1111111111111111', reason: expect.stringMatching(/^startTimeUnixNano/) },
      ]);
    });

    it('keeps one run for a span sent twice in one request (the later copy)', () => {
      const mapping = mapExportRequest(request([span({ name: 'first' }), span({ name: 'second' })]));
      expect(mapping.runs).toHaveLength(1);
      expect(mapping.runs[0].name).toBe('second');
      expect(mapping.rejected).toEqual([]);
    });
  });

  describe('times', () => {
    it('formats unix nanoseconds as ISO-8601 with microseconds', () => {
      expect(nanosToIso(at(0, 1_999))).toBe('2025-01-01T12:00:00.000001Z');
      expect(nanosToIso('1')).toBe('1970-01-01T00:00:00.000000Z');
      expect(nanosToIso('0')).toBeNull();
      expect(nanosToIso('')).toBeNull();
    });
  });
});
