/** Spans, requests and checks shared by the OTLP mapper's specs. */
import { EventValidator } from 'src/modules/sessions/events/event-validator';
import { mapExportRequest } from './otlp-mapper';
import type { OtlpAttributes, OtlpExportRequest, OtlpSpan } from './otlp.types';

export const TRACE = '5b8efff798038103d269b633813fc60c';
export const ROOT = 'eee19b7ec3c1b174';
export const LLM = 'eee19b7ec3c1b173';
export const TOOL = 'eee19b7ec3c1b175';
export const T0 = 1_735_732_800_000_000_000n; // 2025-01-01T12:00:00Z
export const at = (ms: number, extraNanos = 0) => (T0 + BigInt(ms) * 1_000_000n + BigInt(extraNanos)).toString();

/** The RFC check of the API's id pipes (Nest ParseUUIDPipe, class-validator isUUID 'all'). */
export const RFC_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function span(overrides: Partial<OtlpSpan> = {}): OtlpSpan {
  return {
    traceId: TRACE,
    spanId: ROOT,
    parentSpanId: '',
    traceState: '',
    name: 'span',
    kind: 1,
    startTimeUnixNano: at(0),
    endTimeUnixNano: at(1000),
    attributes: {},
    events: [],
    links: [],
    status: { code: 0, message: '' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...overrides,
  };
}

export function request(
  spans: OtlpSpan[],
  resource: OtlpAttributes = { 'service.name': 'support-agent' },
): OtlpExportRequest {
  return {
    resourceSpans: [
      {
        resource: { attributes: resource },
        schemaUrl: '',
        scopeSpans: [{ scope: { name: 'test-scope', version: '1.0.0', attributes: {} }, spans, schemaUrl: '' }],
      },
    ],
  };
}

export const validator = new EventValidator();
export function expectValidEvents(mapping: ReturnType<typeof mapExportRequest>) {
  for (const events of mapping.events.values()) {
    for (const e of events)
      expect({ type: e.type, check: validator.check(e.type, e.payload) }).toEqual({
        type: e.type,
        check: { ok: true },
      });
  }
}

/** The GenAI span tree of the brief: agent root → chat child → failing tool child. */
export function genAiTree(): OtlpSpan[] {
  return [
    span({
      spanId: ROOT,
      name: 'invoke_agent support',
      startTimeUnixNano: at(0),
      endTimeUnixNano: at(3000),
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support', 'custom.tenant': 'acme' },
    }),
    span({
      spanId: LLM,
      parentSpanId: ROOT,
      name: 'chat gpt-4o',
      kind: 3,
      startTimeUnixNano: at(100, 123_456),
      endTimeUnixNano: at(1100, 123_456),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.request.temperature': 0.2,
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 7,
        'gen_ai.response.finish_reasons': ['tool_calls'],
        'gen_ai.input.messages': JSON.stringify([
          { role: 'user', parts: [{ type: 'text', content: 'Refund order 42' }] },
        ]),
        'gen_ai.output.messages': JSON.stringify([
          {
            role: 'assistant',
            parts: [{ type: 'tool_call', id: 'call_1', name: 'refund', arguments: { order: 42 } }],
            finish_reason: 'tool_calls',
          },
        ]),
      },
    }),
    span({
      spanId: TOOL,
      parentSpanId: ROOT,
      name: 'execute_tool refund',
      startTimeUnixNano: at(1200),
      endTimeUnixNano: at(1500),
      status: { code: 2, message: 'order 42 is not refundable' },
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'refund',
        'gen_ai.tool.call.id': 'call_1',
        'gen_ai.tool.call.arguments': '{"order":42}',
      },
      events: [
        {
          name: 'exception',
          timeUnixNano: at(1499),
          attributes: {
            'exception.type': 'RefundError',
            'exception.message': 'order 42 is not refundable',
            'exception.stacktrace': 'RefundError: order 42 is not refundable\n    at refund (tools.ts:10:5)',
          },
        },
      ],
    }),
  ];
}
