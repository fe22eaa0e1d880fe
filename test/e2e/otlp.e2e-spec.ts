import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { context, diag, DiagLogLevel, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { LangSmithOTLPTraceExporter } from 'langsmith/experimental/otel/exporter';
import request from 'supertest';
import { decodeProtobufResponse, encodeProtobufRequest } from 'src/modules/traces/otlp/otlp-codec';
import { spanIdToUuid, traceIdToUuid } from 'src/modules/traces/otlp/otlp-ids';
import { countRows, createTenant, expectProblem, Tenant } from 'test/fixtures/factories';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

const BODY_LIMIT = 256 * 1024;
useTestEnvironment({ HTTP_BODY_LIMIT_BYTES: String(BODY_LIMIT) });

/** Delegates to an official exporter and keeps what it answered, so a test sees each export's result. */
class RecordingExporter implements SpanExporter {
  readonly results: ExportResult[] = [];
  readonly spans: ReadableSpan[] = [];
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.spans.push(...spans);
    this.inner.export(spans, (result) => {
      this.results.push(result);
      done(result);
    });
  }
  /** Sends spans already exported once more (an exporter retry). */
  resend(): Promise<ExportResult> {
    return new Promise((resolve) => this.inner.export(this.spans, resolve));
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

interface SentTree {
  traceId: string;
  sessionId: string;
  root: string;
  llm: string;
  tool: string;
  exporter: RecordingExporter;
}

/**
 * What an instrumented agent sends: an agent span, a chat call carrying GenAI attributes, and a
 * tool call that fails; exported in one batch by a BatchSpanProcessor on forceFlush().
 */
async function exportAgentTree(inner: SpanExporter, serviceName = 'support-agent'): Promise<SentTree> {
  const exporter = new RecordingExporter(inner);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'deployment.environment': 'e2e' }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('flightdeck-e2e', '1.0.0');
  // Explicit times (microseconds apart from the SDK's millisecond clock) make the order certain.
  const t0 = Math.floor(Date.now() / 1000);
  const at = (ms: number): [number, number] => [t0 + Math.floor(ms / 1000), (ms % 1000) * 1_000_000 + 123_000];
  const root = tracer.startSpan('invoke_agent support', {
    startTime: at(0),
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support', 'app.ticket': 'T-42' },
  });
  const inRoot = trace.setSpan(context.active(), root);
  const llm = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: SpanKind.CLIENT,
      startTime: at(100),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.input_tokens': 31,
        'gen_ai.usage.output_tokens': 9,
        'gen_ai.response.finish_reasons': ['tool_calls'],
        'gen_ai.input.messages': JSON.stringify([
          { role: 'user', parts: [{ type: 'text', content: 'Refund order 42' }] },
        ]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'refund', arguments: { order: 42 } }] },
        ]),
      },
    },
    inRoot,
  );
  llm.end(at(1100));
  const tool = tracer.startSpan(
    'execute_tool refund',
    {
      startTime: at(1200),
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'refund',
        'gen_ai.tool.call.id': 'call_1',
        'gen_ai.tool.call.arguments': '{"order":42}',
      },
    },
    inRoot,
  );
  tool.recordException(new Error('order 42 is not refundable'), at(1499));
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'order 42 is not refundable' });
  tool.end(at(1500));
  root.end(at(2000));
  await provider.forceFlush();
  await provider.shutdown();
  const traceId = root.spanContext().traceId;
  return {
    traceId,
    sessionId: traceIdToUuid(traceId),
    root: spanIdToUuid(traceId, root.spanContext().spanId),
    llm: spanIdToUuid(traceId, llm.spanContext().spanId),
    tool: spanIdToUuid(traceId, tool.spanContext().spanId),
    exporter,
  };
}

describe('OTLP/HTTP traces', () => {
  let t: TestApp;
  let tenant: Tenant;
  let intruder: Tenant;
  let base: string;
  const warnings: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    tenant = await createTenant(t.dataSource);
    intruder = await createTenant(t.dataSource);
    diag.setLogger(
      {
        error: (...args: unknown[]) => warnings.push(args.map(String).join(' ')),
        warn: (...args: unknown[]) => warnings.push(args.map(String).join(' ')),
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
  });
  afterAll(async () => {
    diag.disable();
    await t.close();
  });

  const jsonExporter = (key = tenant.key, path = '/v1/traces') =>
    new OTLPHttpJsonExporter({ url: `${base}${path}`, headers: { 'x-api-key': key } });
  const protoExporter = (key = tenant.key, path = '/v1/traces') =>
    new OTLPProtoExporter({
      url: `${base}${path}`,
      headers: { 'x-api-key': key },
      compression: CompressionAlgorithm.GZIP,
    });

  const runsOf = (workspaceId: string, traceId: string) =>
    t.dataSource.query<
      {
        id: string;
        parent_run_id: string | null;
        name: string;
        run_type: string;
        status: string;
        error: string | null;
        dotted_order: string | null;
        inputs: Record<string, unknown> | null;
        extra: { metadata: Record<string, unknown> };
      }[]
    >(
      `SELECT id::text, parent_run_id::text, name, run_type, status, error, dotted_order, inputs, extra
         FROM runs WHERE workspace_id = $1 AND trace_id = $2 ORDER BY dotted_order`,
      [workspaceId, traceId],
    );
  const eventsOf = async (sessionId: string, key = tenant.key) =>
    request(t.http).get(`/api/traces/${sessionId}/events?limit=1000`).set('Authorization', `Bearer ${key}`);

  /** The tree and the typed events of `exportAgentTree`, as stored. */
  async function expectStoredTree(sent: SentTree) {
    const runs = await runsOf(tenant.workspace.id, sent.sessionId);
    expect(runs.map((r) => [r.id, r.parent_run_id, r.run_type, r.status])).toEqual([
      [sent.root, null, 'chain', 'completed'],
      [sent.llm, sent.root, 'llm', 'completed'],
      [sent.tool, sent.root, 'tool', 'failed'],
    ]);
    expect(runs[2].error).toBe('order 42 is not refundable');
    expect(runs[1].inputs).toEqual({
      messages: [{ role: 'user', parts: [{ type: 'text', content: 'Refund order 42' }] }],
    });
    expect(runs[0].extra.metadata).toMatchObject({
      agent_name: 'support',
      service_name: 'support-agent',
      otel: {
        trace_id: sent.traceId,
        attributes: { 'app.ticket': 'T-42' },
        resource: { attributes: { 'deployment.environment': 'e2e' } },
      },
    });

    const hierarchy = await request(t.http)
      .get(`/api/v1/dashboard/runs/${sent.sessionId}/hierarchy`)
      .set('x-api-key', tenant.key)
      .expect(200);
    expect(hierarchy.body).toMatchObject({
      root_run_id: sent.root,
      trace_id: sent.sessionId,
      total_runs: 3,
      max_depth: 2,
      orphans: [],
      hierarchy: {
        id: sent.root,
        name: 'invoke_agent support',
        status: 'completed',
        children: [
          { id: sent.llm, run_type: 'llm', status: 'completed', duration_ms: 1000 },
          { id: sent.tool, run_type: 'tool', status: 'failed', error: 'order 42 is not refundable' },
        ],
      },
    });

    const session = await request(t.http)
      .get(`/api/traces/${sent.sessionId}`)
      .set('Authorization', `Bearer ${tenant.key}`)
      .expect(200);
    expect(session.body).toMatchObject({ id: sent.sessionId, source: 'otlp' });

    const res = await eventsOf(sent.sessionId);
    expect(res.status).toBe(200);
    const events = res.body.data as { type: string; payload: Record<string, unknown> }[];
    const typed = events.filter((e) => !e.type.startsWith('run.') && !e.type.startsWith('session.'));
    expect(typed.map((e) => e.type)).toEqual(['llm.call', 'llm.result', 'tool.call', 'error', 'tool.result']);
    expect(typed[0].payload).toMatchObject({ call_id: sent.llm, model: 'gpt-4o' });
    expect(typed[1].payload).toMatchObject({
      call_id: sent.llm,
      model: 'gpt-4o-2024-08-06',
      usage: { input_tokens: 31, output_tokens: 9, total_tokens: 40 },
      finish_reason: 'tool_calls',
    });
    expect(typed[2].payload).toEqual({ call_id: 'call_1', tool: 'refund', arguments: { order: 42 } });
    expect(typed[3].payload).toMatchObject({ message: 'order 42 is not refundable', kind: 'Error' });
    expect(typed[4].payload).toMatchObject({ call_id: 'call_1', status: 'error', error: 'order 42 is not refundable' });
    expect(events.filter((e) => e.type === 'run.start')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'run.end')).toHaveLength(3);
    return events.length;
  }

  it('stores the span tree and its typed events sent by the official JSON exporter', async () => {
    const sent = await exportAgentTree(jsonExporter());
    expect(sent.exporter.results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS]);
    await expectStoredTree(sent);
    expect(warnings).toEqual([]); // no partial_success: everything was stored
  });

  it('stores the same from the official protobuf exporter with gzip, and a re-send changes nothing', async () => {
    const sent = await exportAgentTree(protoExporter());
    expect(sent.exporter.results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS]);
    const count = await expectStoredTree(sent);
    const before = await countRows(t.dataSource, ['runs', 'sessions', 'events']);
    expect((await sent.exporter.resend()).code).toBe(ExportResultCode.SUCCESS);
    expect(await countRows(t.dataSource, ['runs', 'sessions', 'events'])).toEqual(before);
    expect(await expectStoredTree(sent)).toBe(count);
  });

  it("serves the LangSmith SDK's OTLP path too", async () => {
    const sent = await exportAgentTree(protoExporter(tenant.key, '/api/v1/otel/v1/traces'));
    expect(sent.exporter.results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS]);
    await expectStoredTree(sent);
  });

  it("stores the spans of the LangSmith SDK's own OTLP exporter in the project it names", async () => {
    const tracing = process.env.LANGSMITH_TRACING;
    process.env.LANGSMITH_TRACING = 'true'; // the exporter sends nothing otherwise
    try {
      const exporter = new LangSmithOTLPTraceExporter({
        url: `${base}/api/v1/otel/v1/traces`,
        apiKey: tenant.key,
        projectName: 'otel-evals',
      });
      const sent = await exportAgentTree(exporter);
      expect(sent.exporter.results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS]);
      await expectStoredTree(sent);
      const [project] = await t.dataSource.query<{ name: string }[]>(
        'SELECT p.name FROM sessions s JOIN projects p ON p.id = s.project_id WHERE s.id = $1',
        [sent.sessionId],
      );
      expect(project.name).toBe('otel-evals');
    } finally {
      if (tracing === undefined) delete process.env.LANGSMITH_TRACING;
      else process.env.LANGSMITH_TRACING = tracing;
    }
  });

  describe('refusals', () => {
    const TRACE = '0af7651916cd43dd8448eb211c80319c';
    const span = (spanId: string, extra: Record<string, unknown> = {}) => ({
      traceId: TRACE,
      spanId,
      name: `span ${spanId}`,
      startTimeUnixNano: '1735732800000000000',
      endTimeUnixNano: '1735732801000000000',
      ...extra,
    });
    const otlpJson = (spans: unknown[]) => ({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
    const post = (path = '/v1/traces', key = tenant.key) => request(t.http).post(path).set('x-api-key', key);

    it('answers 400 problem for a body that is not protobuf, and stores nothing', async () => {
      const before = await countRows(t.dataSource, ['runs', 'sessions', 'events']);
      const res = await post()
        .set('Content-Type', 'application/x-protobuf')
        .send(Buffer.from('definitely not protobuf'));
      expectProblem(res, 400);
      expect(res.body.code).toBe('invalid_otlp_request');
      expectProblem(await post().set('Content-Type', 'application/json').send({ resourceSpans: 'x' }), 400);
      expectProblem(await post().set('Content-Type', 'application/json').send('{"resourceSpans": ['), 400);
      expect(await countRows(t.dataSource, ['runs', 'sessions', 'events'])).toEqual(before);
    });

    it('answers partial_success with the count and the reasons; the valid spans are stored (gzipped JSON)', async () => {
      const body = otlpJson([
        span('1111111111111111'),
        span('2222222222222222', { traceId: 'not-hex' }),
        span('3333333333333333', { startTimeUnixNano: '0' }),
        span('4444444444444444', { parentSpanId: '1111111111111111' }),
      ]);
      // fetch, not supertest: superagent re-serializes a Buffer body sent as application/json.
      const res = await fetch(`${base}/v1/traces`, {
        method: 'POST',
        headers: { 'x-api-key': tenant.key, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
        body: gzipSync(JSON.stringify(body)),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const answer = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
      expect(answer).toEqual({
        partialSuccess: { rejectedSpans: '2', errorMessage: expect.stringContaining('startTimeUnixNano is required') },
      });
      expect(answer.partialSuccess.errorMessage).toContain('traceId must be');
      const runs = await runsOf(tenant.workspace.id, traceIdToUuid(TRACE));
      expect(runs.map((r) => r.id).sort()).toEqual(
        [spanIdToUuid(TRACE, '1111111111111111'), spanIdToUuid(TRACE, '4444444444444444')].sort(),
      );
    });

    it('answers partial_success in protobuf to a protobuf request', async () => {
      const bytes = encodeProtobufRequest({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: Buffer.from(TRACE, 'hex'),
                    spanId: Buffer.from('5555555555555555', 'hex'),
                    name: 'ok',
                    startTimeUnixNano: '1735732800000000000',
                    endTimeUnixNano: '1735732801000000000',
                  },
                  {
                    traceId: Buffer.from(TRACE, 'hex'),
                    spanId: Buffer.from('6666666666666666', 'hex'),
                    name: 'backwards',
                    startTimeUnixNano: '1735732801000000000',
                    endTimeUnixNano: '1735732800000000000',
                  },
                ],
              },
            ],
          },
        ],
      });
      const res = await post('/v1/traces')
        .set('Content-Type', 'application/x-protobuf')
        .set('Content-Encoding', 'gzip')
        .send(gzipSync(bytes))
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(res.headers['content-type']).toBe('application/x-protobuf');
      expect(decodeProtobufResponse(res.body as Buffer)).toEqual({
        partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining('before startTimeUnixNano') },
      });
      const runs = await runsOf(tenant.workspace.id, traceIdToUuid(TRACE));
      expect(runs.map((r) => r.id)).toContain(spanIdToUuid(TRACE, '5555555555555555'));
      expect(runs.map((r) => r.id)).not.toContain(spanIdToUuid(TRACE, '6666666666666666'));
    });

    it('answers an empty request with an empty response', async () => {
      const res = await post().set('Content-Type', 'application/json').send({}).expect(200);
      expect(res.body).toEqual({});
    });

    it('answers 415 for other media types, 413 over the limit and 401 without a key', async () => {
      expectProblem(await post().set('Content-Type', 'text/plain').send('spans'), 415);
      const big = Buffer.alloc(BODY_LIMIT + 1, 0);
      expectProblem(await post().set('Content-Type', 'application/x-protobuf').send(big), 413);
      expectProblem(
        await request(t.http).post('/v1/traces').set('Content-Type', 'application/json').send(otlpJson([])),
        401,
      );
    });
  });

  it('shows another workspace none of it, and does not let it write into the trace', async () => {
    const sent = await exportAgentTree(jsonExporter());
    expectProblem(await eventsOf(sent.sessionId, intruder.key), 404);
    expectProblem(
      await request(t.http).get(`/api/traces/${sent.sessionId}`).set('Authorization', `Bearer ${intruder.key}`),
      404,
    );
    expect(await runsOf(intruder.workspace.id, sent.sessionId)).toEqual([]);
    expectProblem(
      await request(t.http).get(`/api/v1/dashboard/runs/${sent.sessionId}/hierarchy`).set('x-api-key', intruder.key),
      404,
    );

    // The intruder re-sends the same spans with its own key: refused, the victim's data unchanged.
    const before = await countRows(t.dataSource, ['runs', 'events']);
    const exporter = jsonExporter(intruder.key);
    const intruderExport = await new Promise<ExportResult>((resolve) => exporter.export(sent.exporter.spans, resolve));
    await exporter.shutdown();
    expect(intruderExport.code).toBe(ExportResultCode.SUCCESS);
    expect(warnings.some((w) => w.includes('Partial Success') && w.includes('"rejectedSpans":"3"'))).toBe(true);
    expect(await countRows(t.dataSource, ['runs', 'events'])).toEqual(before);
    expect(await runsOf(intruder.workspace.id, sent.sessionId)).toEqual([]);
  });
});
