import { createHash, randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import type { ExampleResponseDto } from 'src/modules/examples/dto/example.dto';
import { ExamplesEvents, type ExampleSettled } from 'src/modules/examples/examples.events';
import { ObjectStorage } from 'src/storage/object-storage';
import { countRows, createTenant, expectProblem, joinTenant, Tenant } from 'test/fixtures/factories';
import { createSharedModel, fineTuningLineProblems, waitForExample } from 'test/fixtures/examples';
import { storedKeys, toJsonl, type JsonlEvent } from 'test/fixtures/uploads';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment();

const SYSTEM_PROMPT = 'You are the support agent of Acme. Never read card numbers aloud.';
const EMAIL = 'jane.doe@example.com';

/** A support run against the suite: a lookup, a refund that fails then succeeds, a call of a tool outside the catalog. */
function supportRun(): JsonlEvent[] {
  const user = `Where is my refund for A-17? Reach me at ${EMAIL} or +1 415 555 0100`;
  return [
    {
      type: 'session.start',
      payload: { input: { text: 'Refund order A-17' }, metadata: { system_prompt: SYSTEM_PROMPT } },
    },
    { type: 'message', payload: { role: 'user', content: user } },
    { type: 'step', payload: { name: 'plan' } },
    {
      type: 'llm.call',
      payload: {
        call_id: 'l1',
        model: 'gpt-x',
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          { role: 'user', content: user },
        ],
      },
    },
    {
      type: 'llm.result',
      payload: {
        call_id: 'l1',
        message: {
          role: 'assistant',
          content: 'Let me look up the order.',
          tool_calls: [
            {
              id: 'call_lookup',
              type: 'function',
              function: { name: 'orders_lookup', arguments: '{"order_id":"A-17"}' },
            },
          ],
        },
      },
    },
    { type: 'tool.call', payload: { call_id: 'call_lookup', tool: 'orders_lookup', arguments: { order_id: 'A-17' } } },
    {
      type: 'tool.result',
      payload: { call_id: 'call_lookup', status: 'ok', output: { status: 'shipped', total: 12.5 } },
    },
    {
      type: 'llm.result',
      payload: {
        call_id: 'l2',
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_refund',
              type: 'function',
              function: { name: 'payments_refund', arguments: '{"order_id":"A-17","amount":12.5}' },
            },
          ],
        },
      },
    },
    {
      type: 'tool.result',
      payload: { call_id: 'call_refund', status: 'error', error: 'card processor timed out', error_class: 'Timeout' },
    },
    { type: 'error', payload: { message: 'refund failed', retryable: true } },
    {
      type: 'tool.call',
      payload: { call_id: 'call_refund_2', tool: 'payments_refund', arguments: { order_id: 'A-17', amount: 12.5 } },
    },
    { type: 'tool.result', payload: { call_id: 'call_refund_2', status: 'ok', output: { refund_id: 'R-9' } } },
    {
      type: 'llm.result',
      payload: { call_id: 'l3', message: { role: 'assistant', content: 'Your refund R-9 is on its way.' } },
    },
    {
      type: 'tool.call',
      payload: { call_id: 'call_note', tool: 'crm.note', arguments: { text: `refunded ${EMAIL}` } },
    },
    { type: 'tool.result', payload: { call_id: 'call_note', status: 'ok', output: 'noted' } },
    { type: 'message', payload: { role: 'assistant', content: 'Anything else?' } },
    { type: 'message', payload: { role: 'user', content: 'No, thanks' } },
    { type: 'session.end', payload: { status: 'completed' } },
  ];
}

const ORDER_SCHEMA = { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] };
const REFUND_SCHEMA = {
  type: 'object',
  properties: { order_id: { type: 'string' }, amount: { type: 'number' } },
  required: ['order_id', 'amount'],
};

describe('examples: training data from sessions', () => {
  let t: TestApp;
  let tenant: Tenant;
  let modelId: string;
  let suiteId: string;
  let sessionId: string;
  const settled: ExampleSettled[] = [];

  const as = (key: string) => ({
    get: (path: string) => request(t.http).get(path).set('X-API-Key', key),
    post: (path: string) => request(t.http).post(path).set('X-API-Key', key),
  });

  const upload = async (key: string, events: JsonlEvent[], suite?: string) => {
    const req = request(t.http).post('/v1/sessions').set('X-API-Key', key).field('project_id', tenant.project.id);
    if (suite) req.field('suite_id', suite);
    const res = await req
      .attach('input_events', Buffer.from(toJsonl(events)), {
        filename: 'run.jsonl',
        contentType: 'application/x-ndjson',
      })
      .expect(201);
    return res.body.id as string;
  };

  const build = async (body: Record<string, unknown>, key = tenant.key) => {
    const res = await as(key).post('/v1/examples').send(body).expect(202);
    return waitForExample(t, key, res.body.id as string);
  };

  /** The JSONL as the server sends it (no client-side decoding). */
  const messagesOf = async (id: string, key = tenant.key, headers: Record<string, string> = {}) => {
    const res = await rawGet(t, `/v1/examples/${id}/messages`, { 'X-API-Key': key, ...headers });
    expect(res.status).toBe(200);
    return { res, body: res.body };
  };

  beforeAll(async () => {
    t = await createTestApp();
    t.app.get(ExamplesEvents).onSettled((event) => settled.push(event));
    tenant = await createTenant(t.dataSource);
    modelId = (await createSharedModel(t.dataSource, tenant.workspace.id)).id;
    const suite = await as(tenant.key)
      .post('/v1/suites')
      .send({ name: `support-${randomUUID().slice(0, 6)}` })
      .expect(201);
    suiteId = suite.body.id as string;
    for (const [name, description, schema] of [
      ['orders_lookup', 'Find an order by id', ORDER_SCHEMA],
      ['payments_refund', 'Refund an order', REFUND_SCHEMA],
      ['notify_customer', 'Send the customer a note', { type: 'object', properties: { text: { type: 'string' } } }],
    ] as const) {
      await as(tenant.key)
        .post(`/v1/suites/${suiteId}/actions`)
        .send({ name, description, parameters_schema: schema })
        .expect(201);
    }
    sessionId = await upload(tenant.key, supportRun(), suiteId);
  }, 60_000);
  afterAll(() => t.close());

  it('builds a session with tool calls against a suite into chat fine-tuning JSONL, valid line by line, and rebuilds it byte for byte', async () => {
    const body = {
      session_id: sessionId,
      model_id: modelId,
      model_configuration: { temperature: 0.2, max_tokens: 512 },
    };
    const queued = await as(tenant.key).post('/v1/examples').send(body).expect(202);
    expect(queued.body).toMatchObject({
      status: 'queued',
      session_id: sessionId,
      suite_id: suiteId,
      model_id: modelId,
      model_configuration: { temperature: 0.2, max_tokens: 512 },
      options: { split: 'whole_session', failed_tool_calls: 'drop', redact_pii: false, pii_patterns: [] },
    });
    const example = await waitForExample(t, tenant.key, queued.body.id as string);
    expect(example).toMatchObject({
      status: 'ready',
      progress: { percent: 100 },
      records_written: 1,
      records_skipped: 0,
      error: null,
      tools: ['crm_note', 'notify_customer', 'orders_lookup', 'payments_refund'],
      undefined_tools: ['crm.note'],
      dropped: expect.arrayContaining([
        { reason: 'failed_tool_call', count: 1 },
        { reason: 'after_last_assistant_message', count: 1 },
      ]),
    });

    const { res, body: jsonl } = await messagesOf(example.id);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(jsonl.length).toBe(example.size_bytes);
    expect(createHash('sha256').update(jsonl).digest('hex')).toBe(example.sha256);
    const lines = jsonl.toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    for (const line of lines) expect(fineTuningLineProblems(line)).toEqual([]);

    const record = JSON.parse(lines[0]) as {
      messages: Record<string, unknown>[];
      tools: { function: { name: string } }[];
    };
    expect(record.messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
    ]);
    expect(record.messages[0]).toEqual({ role: 'system', content: SYSTEM_PROMPT });
    expect(record.messages[5]).toEqual({
      role: 'assistant',
      tool_calls: [
        {
          id: 'call_refund_2',
          type: 'function',
          function: { name: 'payments_refund', arguments: '{"amount":12.5,"order_id":"A-17"}' },
        },
      ],
    });
    expect(record.messages[7]).toMatchObject({
      content: 'Your refund R-9 is on its way.',
      tool_calls: [{ function: { name: 'crm_note' } }],
    });
    const lookup = record.tools.find((tool) => tool.function.name === 'orders_lookup');
    expect(lookup).toEqual({
      type: 'function',
      function: { name: 'orders_lookup', description: 'Find an order by id', parameters: ORDER_SCHEMA },
    });
    expect(record.tools.find((tool) => tool.function.name === 'crm_note')).toEqual({
      type: 'function',
      function: { name: 'crm_note', parameters: { type: 'object' } },
    });

    // The same session and configuration again: the same bytes.
    const again = await build(body);
    expect(again.id).not.toBe(example.id);
    expect(again.sha256).toBe(example.sha256);
    expect(again.size_bytes).toBe(example.size_bytes);
    expect((await messagesOf(again.id)).body.equals(jsonl)).toBe(true);
    expect(settled.filter((e) => e.status === 'ready').map((e) => e.exampleId)).toEqual(
      expect.arrayContaining([example.id, again.id]),
    );
  });

  it('writes one valid record per assistant turn within the window, and gzips the stream when asked', async () => {
    const example = await build({
      session_id: sessionId,
      model_id: modelId,
      model_configuration: {},
      options: { split: 'per_assistant_turn', failed_tool_calls: 'keep', max_messages_per_record: 6 },
    });
    expect(example).toMatchObject({ status: 'ready', records_written: 5, records_skipped: 0 });
    const { body: jsonl } = await messagesOf(example.id);
    const lines = jsonl.toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(fineTuningLineProblems(line)).toEqual([]);
      const { messages } = JSON.parse(line) as { messages: Record<string, unknown>[] };
      expect(messages.length).toBeLessThanOrEqual(6);
      expect(messages[0]).toEqual({ role: 'system', content: SYSTEM_PROMPT });
      expect(messages.at(-1)).toMatchObject({ role: 'assistant' });
      expect(messages.at(-1)!.weight).toBeUndefined();
    }
    // The failed refund is kept, its error as the tool message.
    expect(jsonl.toString('utf8')).toContain(
      '{"role":"tool","tool_call_id":"call_refund","content":"{\\"error\\":\\"card processor timed out\\",\\"error_class\\":\\"Timeout\\"}"}',
    );

    const { res: gzipped, body: compressed } = await messagesOf(example.id, tenant.key, { 'Accept-Encoding': 'gzip' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['content-length']).toBeUndefined();
    expect(gzipped.headers.vary).toMatch(/Accept-Encoding/);
    expect(gunzipSync(compressed).equals(jsonl)).toBe(true);
  });

  it('redacts the configured PII patterns when asked', async () => {
    const example = await build({
      session_id: sessionId,
      model_id: modelId,
      model_configuration: {},
      options: { redact_pii: true },
    });
    expect(example.options.pii_patterns).toEqual(['email', 'api_key', 'bearer_token', 'phone']);
    const text = (await messagesOf(example.id)).body.toString('utf8');
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain('415 555 0100');
    expect(text).toContain('Reach me at [redacted:email] or [redacted:phone]');
    expect(example.redactions).toBeGreaterThanOrEqual(4);
  });

  it('lists the reasons when no record can be written', async () => {
    const quiet = await upload(tenant.key, [
      { type: 'session.start', payload: { input: 'hello' } },
      { type: 'step', payload: { name: 'think' } },
    ]);
    const example = await build({ session_id: quiet, model_id: modelId, model_configuration: {} });
    expect(example).toMatchObject({
      status: 'ready',
      records_written: 0,
      records_skipped: 1,
      skip_reasons: [{ reason: 'no_assistant_message', count: 1 }],
      size_bytes: 0,
    });
    expect((await messagesOf(example.id)).body.length).toBe(0);
  });

  it('lists examples by session, model and suite, a page at a time', async () => {
    const all = (await as(tenant.key).get(`/v1/examples?session_id=${sessionId}&limit=1000`).expect(200)).body.data;
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(all.every((e: { session_id: string }) => e.session_id === sessionId)).toBe(true);
    const bySuite = (await as(tenant.key).get(`/v1/examples?suite_id=${suiteId}&model_id=${modelId}`).expect(200)).body
      .data;
    expect(bySuite.map((e: { id: string }) => e.id)).toEqual(all.map((e: { id: string }) => e.id));
    expect((await as(tenant.key).get(`/v1/examples?model_id=${randomUUID()}`).expect(200)).body.data).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await as(tenant.key)
        .get(`/v1/examples?session_id=${sessionId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .expect(200);
      seen.push(...page.body.data.map((e: { id: string }) => e.id));
      cursor = page.body.next_cursor as string | null;
    } while (cursor);
    expect(seen).toEqual(all.map((e: { id: string }) => e.id));

    // The suite cannot go while examples were built from its sessions: the 409 names them.
    const refused = await request(t.http).delete(`/v1/suites/${suiteId}`).set('X-API-Key', tenant.key);
    expectProblem(refused, 409);
    expect(refused.body.references).toEqual(expect.arrayContaining([`example ${all[0].id} (ready)`]));
    expectProblem(await as(tenant.key).get('/v1/examples?cursor=nonsense'), 422);
  });

  it('refuses bad requests with problem+json and changes nothing', async () => {
    const other = await createTenant(t.dataSource);
    const otherSession = await (async () => {
      const res = await request(t.http)
        .post('/v1/sessions')
        .set('X-API-Key', other.key)
        .field('project_id', other.project.id)
        .attach('input_events', Buffer.from(toJsonl(supportRun())), {
          filename: 'r.jsonl',
          contentType: 'application/x-ndjson',
        })
        .expect(201);
      return res.body.id as string;
    })();
    const viewer = await joinTenant(t.dataSource, tenant, 'viewer');
    const embeddings = await createSharedModel(t.dataSource, tenant.workspace.id, { task: 'embeddings' });
    const unshared = await createSharedModel(t.dataSource, null);
    const mine = (await as(tenant.key).get(`/v1/examples?session_id=${sessionId}&limit=1`).expect(200)).body.data[0];
    const state = async () => ({
      rows: await countRows(t.dataSource, ['examples']),
      keys: storedKeys('workspaces').length,
    });
    const before = await state();
    const ok = { session_id: sessionId, model_id: modelId, model_configuration: {} };

    expectProblem(
      await as(tenant.key)
        .post('/v1/examples')
        .send({ ...ok, session_id: randomUUID() }),
      404,
    );
    expectProblem(
      await as(tenant.key)
        .post('/v1/examples')
        .send({ ...ok, session_id: otherSession }),
      404,
    );
    expectProblem(
      await as(tenant.key)
        .post('/v1/examples')
        .send({ ...ok, model_id: randomUUID() }),
      404,
    );
    expectProblem(
      await as(tenant.key)
        .post('/v1/examples')
        .send({ ...ok, model_id: unshared.id }),
      404,
    );
    const notLlm = await as(tenant.key)
      .post('/v1/examples')
      .send({ ...ok, model_id: embeddings.id });
    expectProblem(notLlm, 422);
    expect(notLlm.body.errors).toEqual([{ field: 'model_id', message: expect.any(String) }]);
    for (const model_configuration of [
      { temperature: 5 },
      { top_p: -1 },
      { max_tokens: 0 },
      { colour: 'blue' },
      'warm',
      null,
    ]) {
      const res = await as(tenant.key)
        .post('/v1/examples')
        .send({ ...ok, model_configuration });
      expectProblem(res, 422);
      expect(res.body.errors[0].field).toMatch(/^model_configuration/);
    }
    expectProblem(
      await as(tenant.key)
        .post('/v1/examples')
        .send({ ...ok, options: { split: 'per_line' } }),
      422,
    );
    expectProblem(
      await as(tenant.key)
        .post('/v1/examples')
        .send({ ...ok, options: { max_messages_per_record: 1 } }),
      422,
    );
    expectProblem(
      await as(tenant.key)
        .post('/v1/examples')
        .send({ ...ok, session_id: 'not-a-uuid' }),
      422,
    );
    expectProblem(await as(viewer.key).post('/v1/examples').send(ok), 403);
    expectProblem(await request(t.http).post('/v1/examples').send(ok), 401);
    expectProblem(await request(t.http).get(`/v1/examples/${mine.id}`), 401);

    expectProblem(await as(other.key).get(`/v1/examples/${mine.id}`), 404);
    expectProblem(await as(other.key).get(`/v1/examples/${mine.id}/messages`), 404);
    expect((await as(other.key).get(`/v1/examples?session_id=${sessionId}`).expect(200)).body.data).toEqual([]);
    expectProblem(await as(tenant.key).get(`/v1/examples/${randomUUID()}`), 404);
    expectProblem(await as(tenant.key).get('/v1/examples/not-a-uuid'), 400);
    // A viewer reads.
    await as(viewer.key).get(`/v1/examples/${mine.id}`).expect(200);
    expect(await state()).toEqual(before);
  });

  it('shows progress while it builds, answers 409 for messages until ready, and fails with an error once retries are spent', async () => {
    const storage = t.app.get(ObjectStorage);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const put = jest.spyOn(storage, 'put').mockImplementation(async () => {
      await gate;
      throw new Error('EIO: write failed at /srv/secret/objects');
    });
    try {
      const queued = await as(tenant.key)
        .post('/v1/examples')
        .send({ session_id: sessionId, model_id: modelId, model_configuration: {} })
        .expect(202);
      const id = queued.body.id as string;
      let running = queued.body as ExampleResponseDto;
      for (let i = 0; i < 200 && running.progress.phase !== 'write'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        running = (await as(tenant.key).get(`/v1/examples/${id}`).expect(200)).body as ExampleResponseDto;
      }
      expect(running).toMatchObject({ status: 'running', attempts: 1, progress: { phase: 'write', percent: 50 } });
      const early = await as(tenant.key).get(`/v1/examples/${id}/messages`);
      expectProblem(early, 409);
      expect(early.body.type).toMatch(/example_not_ready/);

      release();
      const failed = await waitForExample(t, tenant.key, id);
      expect(failed).toMatchObject({
        status: 'failed',
        attempts: 3,
        error: { code: 'internal_error', message: expect.any(String) },
        sha256: null,
      });
      expect(JSON.stringify(failed)).not.toContain('/srv/secret');
      expect(put).toHaveBeenCalledTimes(3);
      expect(settled).toContainEqual(expect.objectContaining({ exampleId: id, status: 'failed' }));
      expectProblem(await as(tenant.key).get(`/v1/examples/${id}/messages`), 409);
    } finally {
      put.mockRestore();
    }
  }, 30_000);
});

/** A GET over loopback with node:http, the body as raw bytes (supertest would gunzip it). */
async function rawGet(t: TestApp, path: string, headers: Record<string, string>) {
  if (!t.http.listening) await new Promise<void>((resolve) => t.http.listen(0, '127.0.0.1', resolve));
  const { port } = t.http.address() as AddressInfo;
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
