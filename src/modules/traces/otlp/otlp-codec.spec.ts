import { gzipSync } from 'node:zlib';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  decodeJsonRequest,
  decodeProtobufRequest,
  decodeProtobufResponse,
  encodeProtobufRequest,
  encodeProtobufResponse,
  jsonResponse,
  OtlpDecodeError,
} from './otlp-codec';
import { MAX_VALUE_DEPTH } from './otlp-request';

/** Spans made by the real SDK, serialized by the exporters' own serializers. */
async function sdkSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'codec-test', 'service.version': '1.2.3' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('codec-scope', '0.0.1');
  const root = tracer.startSpan('root', { kind: SpanKind.SERVER, startTime: [1735732800, 123456789] });
  const ctx = trace.setSpan(context.active(), root);
  const child = tracer.startSpan(
    'child',
    {
      kind: SpanKind.CLIENT,
      startTime: [1735732800, 500000000],
      attributes: {
        str: 'text',
        int: 42,
        big: 2 ** 60,
        dbl: 0.5,
        bool: true,
        list: ['a', 'b'],
        nums: [1, 2],
      },
      links: [{ context: root.spanContext(), attributes: { why: 'follows' } }],
    },
    ctx,
  );
  child.addEvent('checkpoint', { step: 1 });
  child.recordException(new Error('boom'));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
  child.end([1735732801, 0]);
  root.end([1735732802, 5]);
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

describe('OTLP codec', () => {
  it('decodes the protobuf and the JSON of the official serializers to the same request', async () => {
    const spans = await sdkSpans();
    const fromProto = decodeProtobufRequest(ProtobufTraceSerializer.serializeRequest(spans)!);
    const json = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8'));
    const fromJson = decodeJsonRequest(json);
    expect(fromProto).toEqual(fromJson);
    expect(fromProto.rejected).toEqual([]);

    const [resourceSpans] = fromProto.request.resourceSpans;
    expect(resourceSpans.resource.attributes).toMatchObject({
      'service.name': 'codec-test',
      'service.version': '1.2.3',
    });
    const [scopeSpans] = resourceSpans.scopeSpans;
    expect(scopeSpans.scope).toMatchObject({ name: 'codec-scope', version: '0.0.1' });
    const child = scopeSpans.spans.find((s) => s.name === 'child')!;
    const root = scopeSpans.spans.find((s) => s.name === 'root')!;
    const ids = spans.find((s) => s.name === 'child')!.spanContext();
    expect(child).toMatchObject({
      traceId: ids.traceId,
      spanId: ids.spanId,
      parentSpanId: root.spanId,
      kind: 3,
      startTimeUnixNano: expect.stringMatching(/^\d{19}$/),
      endTimeUnixNano: '1735732801000000000',
      status: { code: 2, message: 'failed' },
      attributes: {
        str: 'text',
        int: 42,
        big: '1152921504606846976',
        dbl: 0.5,
        bool: true,
        list: ['a', 'b'],
        nums: [1, 2],
      },
      links: [{ traceId: root.traceId, spanId: root.spanId, attributes: { why: 'follows' } }],
    });
    expect(child.events.map((e) => e.name)).toEqual(['checkpoint', 'exception']);
    expect(child.events[1].attributes).toMatchObject({ 'exception.message': 'boom', 'exception.type': 'Error' });
    expect(root).toMatchObject({
      parentSpanId: '',
      kind: 2,
      startTimeUnixNano: '1735732800123456789',
      endTimeUnixNano: '1735732802000000005',
    });
  });

  it('refuses bytes that are not a protobuf ExportTraceServiceRequest', () => {
    expect(() => decodeProtobufRequest(Buffer.from('definitely not protobuf'))).toThrow(OtlpDecodeError);
    expect(() => decodeProtobufRequest(gzipSync(Buffer.from('{"resourceSpans":[]}')))).toThrow(OtlpDecodeError);
  });

  it('reads an empty protobuf body as a request without spans', () => {
    expect(decodeProtobufRequest(new Uint8Array())).toEqual({ request: { resourceSpans: [] }, rejected: [] });
  });

  it('refuses a JSON body whose structure above the spans is wrong', () => {
    for (const body of [
      [],
      'x',
      { resourceSpans: {} },
      { resourceSpans: [1] },
      { resourceSpans: [{ scopeSpans: 'x' }] },
    ]) {
      expect(() => decodeJsonRequest(body)).toThrow(OtlpDecodeError);
    }
    expect(decodeJsonRequest({})).toEqual({ request: { resourceSpans: [] }, rejected: [] });
  });

  it('refuses only the unreadable spans of a JSON body and names them', () => {
    const good = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'ok', startTimeUnixNano: '1' };
    const decoded = decodeJsonRequest({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                good,
                { ...good, spanId: 'ef'.repeat(8), name: 7 },
                { ...good, spanId: '12'.repeat(8), attributes: [{ value: { stringValue: 'no key' } }] },
                { ...good, spanId: '34'.repeat(8), startTimeUnixNano: 'yesterday' },
                'not a span',
              ],
            },
          ],
        },
      ],
    });
    expect(decoded.request.resourceSpans[0].scopeSpans[0].spans.map((s) => s.name)).toEqual(['ok']);
    expect(decoded.rejected).toEqual([
      { traceId: 'ab'.repeat(16), spanId: 'ef'.repeat(8), reason: 'name must be a string' },
      {
        traceId: 'ab'.repeat(16),
        spanId: '12'.repeat(8),
        reason: 'attributes[0] must be a KeyValue with a string key',
      },
      {
        traceId: 'ab'.repeat(16),
        spanId: '34'.repeat(8),
        reason: 'startTimeUnixNano must be unsigned integer nanoseconds',
      },
      { traceId: null, spanId: null, reason: 'a span must be an object' },
    ]);
  });

  it('accepts the variants of OTLP/JSON that clients send', () => {
    const traceBytes = Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex');
    const decoded = decodeJsonRequest({
      resource_spans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'snake' } }] },
          scope_spans: [
            {
              spans: [
                {
                  trace_id: traceBytes.toString('base64'),
                  span_id: 'B7AD6B7169203331',
                  start_time_unix_nano: 1735732800000000000,
                  kind: 'SPAN_KIND_CLIENT',
                  status: { code: 'STATUS_CODE_ERROR' },
                  attributes: [
                    { key: 'big', value: { intValue: '9007199254740993' } },
                    { key: 'small', value: { intValue: '-5' } },
                    { key: 'kv', value: { kvlistValue: { values: [{ key: 'a', value: { boolValue: false } }] } } },
                    { key: 'bytes', value: { bytesValue: 'AQID' } },
                    { key: 'unset', value: {} },
                    { key: '__proto__', value: { stringValue: 'data, not a prototype' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const span = decoded.request.resourceSpans[0].scopeSpans[0].spans[0];
    expect(decoded.request.resourceSpans[0].resource.attributes).toEqual({ 'service.name': 'snake' });
    expect(span).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      startTimeUnixNano: '1735732800000000000',
      kind: 3,
      status: { code: 2, message: '' },
    });
    expect(span.attributes).toEqual({
      big: '9007199254740993',
      small: -5,
      kv: { a: false },
      bytes: 'AQID',
      unset: null,
      ['__proto__']: 'data, not a prototype',
    });
    expect(Object.getPrototypeOf(span.attributes)).toBe(Object.prototype);
  });

  it('refuses a span whose attribute values nest too deep', () => {
    let value: Record<string, unknown> = { stringValue: 'leaf' };
    for (let i = 0; i <= MAX_VALUE_DEPTH; i++) value = { arrayValue: { values: [value] } };
    const decoded = decodeProtobufRequest(
      encodeProtobufRequest({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), attributes: [{ key: 'deep', value }] },
                  { traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 3), name: 'fine' },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(decoded.request.resourceSpans[0].scopeSpans[0].spans.map((s) => s.name)).toEqual(['fine']);
    expect(decoded.rejected).toEqual([
      {
        traceId: '01'.repeat(16),
        spanId: '02'.repeat(8),
        reason: `an attribute value nests deeper than ${MAX_VALUE_DEPTH}`,
      },
    ]);
  });

  it('encodes the answer in both encodings, with partial_success only when spans were refused', () => {
    expect(encodeProtobufResponse(null)).toHaveLength(0);
    expect(jsonResponse(null)).toEqual({});
    const partial = { rejectedSpans: 2, errorMessage: 'span 01: bad' };
    expect(decodeProtobufResponse(encodeProtobufResponse(partial))).toEqual({ partialSuccess: partial });
    expect(jsonResponse(partial)).toEqual({ partialSuccess: { rejectedSpans: '2', errorMessage: 'span 01: bad' } });
  });
});
