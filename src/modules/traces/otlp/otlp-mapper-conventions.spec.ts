import { mapExportRequest } from './otlp-mapper';
import { expectValidEvents, LLM, request, span, TOOL } from './otlp-mapper.fixtures';
import type { OtlpAttributes } from './otlp.types';

describe('OTLP → runs mapping of other conventions', () => {
  describe('OpenInference', () => {
    const mapping = mapExportRequest(
      request([
        span({
          spanId: LLM,
          name: 'ChatOpenAI',
          attributes: {
            'openinference.span.kind': 'LLM',
            'llm.model_name': 'gpt-4o-mini',
            'llm.provider': 'openai',
            'llm.invocation_parameters': '{"temperature":0}',
            'input.value': '{"messages":[{"role":"user","content":"Weather in Paris?"}]}',
            'input.mime_type': 'application/json',
            'output.value': 'It is sunny.',
            'output.mime_type': 'text/plain',
            'llm.input_messages.0.message.role': 'user',
            'llm.input_messages.0.message.content': 'Weather in Paris?',
            'llm.output_messages.0.message.role': 'assistant',
            'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'weather',
            'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"city":"Paris"}',
            'llm.token_count.prompt': 20,
            'llm.token_count.completion': 5,
            'llm.token_count.total': 25,
            'session.id': 'chat-7',
          },
        }),
        span({
          spanId: TOOL,
          parentSpanId: LLM,
          name: 'weather',
          attributes: {
            'openinference.span.kind': 'TOOL',
            'tool.name': 'weather',
            'input.value': '{"city":"Paris"}',
            'output.value': 'sunny',
          },
        }),
        span({ spanId: 'aaaaaaaaaaaaaaaa', attributes: { 'openinference.span.kind': 'RETRIEVER' } }),
        span({ spanId: 'bbbbbbbbbbbbbbbb', attributes: { 'openinference.span.kind': 'EMBEDDING' } }),
        span({ spanId: 'cccccccccccccccc', attributes: { 'openinference.span.kind': 'AGENT' } }),
      ]),
    );
    const [llm, tool, retriever, embedding, agent] = mapping.runs;

    it('maps span kinds to run types', () => {
      expect([llm, tool, retriever, embedding, agent].map((r) => r.run_type)).toEqual([
        'llm',
        'tool',
        'retriever',
        'embedding',
        'chain',
      ]);
    });

    it('reads input.value/output.value by mime type and the flattened messages', () => {
      expect(llm.inputs).toEqual({ messages: [{ role: 'user', content: 'Weather in Paris?' }] });
      expect(llm.outputs).toEqual({
        output: 'It is sunny.',
        usage_metadata: { input_tokens: 20, output_tokens: 5, total_tokens: 25 },
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
          },
        ],
      });
    });

    it('emits llm events with the model, messages, parameters and token counts', () => {
      const [call, result] = mapping.events.get(llm.id)!;
      expect(call.payload).toEqual({
        call_id: llm.id,
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        parameters: { temperature: 0 },
      });
      expect(result.payload).toMatchObject({
        model: 'gpt-4o-mini',
        usage: { input_tokens: 20, output_tokens: 5, total_tokens: 25 },
      });
      // input.value had its own messages: the flattened ones are not used, so they stay kept.
      expect((llm.extra as { metadata: { otel: { attributes: OtlpAttributes } } }).metadata.otel.attributes).toEqual({
        'llm.input_messages.0.message.role': 'user',
        'llm.input_messages.0.message.content': 'Weather in Paris?',
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o-mini',
        'llm.provider': 'openai',
        'llm.invocation_parameters': '{"temperature":0}',
        'llm.token_count.prompt': 20,
        'llm.token_count.completion': 5,
        'llm.token_count.total': 25,
        'session.id': 'chat-7',
      });
    });

    it('emits tool events with the parsed arguments and the output', () => {
      expect(mapping.events.get(tool.id)!.map((e) => e.payload)).toEqual([
        { call_id: tool.id, tool: 'weather', arguments: { city: 'Paris' } },
        { call_id: tool.id, tool: 'weather', status: 'ok', output: 'sunny', latency_ms: 1000 },
      ]);
      expectValidEvents(mapping);
    });
  });

  describe('the LangSmith SDK OTLP mode', () => {
    it('takes run type, name, project, metadata, tags and JSON inputs/outputs from its attributes', () => {
      const { runs } = mapExportRequest(
        request(
          [
            span({
              name: 'RunnableSequence',
              attributes: {
                'langsmith.span.kind': 'retriever',
                'langsmith.trace.name': 'Retrieve docs',
                'langsmith.trace.session_name': 'support-evals',
                'langsmith.metadata.user_id': 'u-1',
                'langsmith.metadata.config': '{"k":3}',
                'langsmith.span.tags': 'prod, v2',
                'gen_ai.prompt': '{"query":"refunds"}',
                'gen_ai.completion': '{"documents":["a","b"]}',
              },
            }),
          ],
          { 'service.name': 'svc', 'langsmith.project': 'ignored-when-the-span-says' },
        ),
      );
      expect(runs[0]).toMatchObject({
        name: 'Retrieve docs',
        run_type: 'retriever',
        session_name: 'support-evals',
        tags: ['prod', 'v2'],
        inputs: { query: 'refunds' },
        outputs: { documents: ['a', 'b'] },
        extra: { metadata: { user_id: 'u-1', config: { k: 3 } } },
      });
    });

    it('falls back to the resource langsmith.project, and never to service.name, for the project', () => {
      const withProject = mapExportRequest(request([span()], { 'service.name': 'svc', 'langsmith.project': 'p1' }));
      expect(withProject.runs[0].session_name).toBe('p1');
      const withoutProject = mapExportRequest(request([span()], { 'service.name': 'svc' }));
      expect(withoutProject.runs[0]).not.toHaveProperty('session_name');
    });
  });
});
