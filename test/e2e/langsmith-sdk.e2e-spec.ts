import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, RunTree } from 'langsmith';
import { getCurrentRunTree, traceable } from 'langsmith/traceable';
import request from 'supertest';
import { createTenant, Tenant } from 'test/fixtures/factories';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment();
jest.setTimeout(60_000);

interface Seen {
  method: string;
  path: string;
  encoding: string | undefined;
  chunked: boolean;
}

interface HierarchyNode {
  id: string;
  name: string;
  run_type: string;
  status: string;
  duration_ms: number | null;
  error: string | null;
  children: HierarchyNode[];
}

/**
 * The official `langsmith` SDK (v0.12), unchanged, pointed at Flightdeck: it must find what it
 * expects at /api/v1, and what it sends must come back as the same tree and session log.
 */
describe('LangSmith SDK against /api/v1', () => {
  let t: TestApp;
  let tenant: Tenant;
  let apiUrl: string;
  const seen: Seen[] = [];
  const sdkComplaints: string[] = [];
  const originals = { warn: console.warn, error: console.error };

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    const server = t.app.getHttpServer();
    server.on('request', (req: IncomingMessage) =>
      seen.push({
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0],
        encoding: req.headers['content-encoding'],
        chunked: req.headers['transfer-encoding'] === 'chunked',
      }),
    );
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
    tenant = await createTenant(t.dataSource);
    // The SDK reports failed exports on the console only: any complaint is a failure here.
    for (const level of ['warn', 'error'] as const) {
      jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        sdkComplaints.push(args.map(String).join(' '));
        originals[level](...args);
      });
    }
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t.close();
  });
  beforeEach(() => {
    seen.length = 0;
    sdkComplaints.length = 0;
  });

  const api = (path: string) => request(t.http).get(path).set('x-api-key', tenant.key);

  /** A three-level trace: agent → planner → (llm-call, search that fails). Returns the trace id. */
  async function runAgent(client: Client, project: string): Promise<string> {
    const options = { client, project_name: project, tracingEnabled: true };
    const llm = traceable(
      async (prompt: string) => {
        await new Promise((r) => setTimeout(r, 15));
        return {
          content: `plan for ${prompt}`,
          usage_metadata: { input_tokens: 12, output_tokens: 5, total_tokens: 17 },
        };
      },
      { ...options, name: 'llm-call', run_type: 'llm' },
    );
    const search = traceable(
      async (query: string): Promise<string> => {
        await new Promise((r) => setTimeout(r, 5));
        throw new Error(`search backend down for ${query}`);
      },
      { ...options, name: 'search', run_type: 'tool' },
    );
    const planner = traceable(
      async (question: string) => {
        const answer = await llm(question);
        const found = await search(question).catch(() => 'nothing');
        return { plan: answer.content, found };
      },
      { ...options, name: 'planner', run_type: 'chain' },
    );
    let traceId = '';
    const agent = traceable(
      async (question: string) => {
        traceId = getCurrentRunTree().trace_id;
        const plan = await planner(question);
        return { answer: plan.plan };
      },
      { ...options, name: 'support-agent', run_type: 'chain' },
    );
    await agent('where is my order?');
    await client.awaitPendingTraceBatches();
    return traceId;
  }

  async function expectTree(traceId: string) {
    const res = await api(`/api/v1/dashboard/runs/${traceId}/hierarchy`).expect(200);
    expect(res.body).toMatchObject({
      root_run_id: traceId,
      trace_id: traceId,
      total_runs: 4,
      max_depth: 3,
      orphans: [],
    });
    const root = res.body.hierarchy as HierarchyNode;
    expect(root).toMatchObject({ name: 'support-agent', run_type: 'chain', status: 'completed', error: null });
    expect(root.children.map((c) => c.name)).toEqual(['planner']);
    const planner = root.children[0];
    expect(planner).toMatchObject({ status: 'completed', error: null });
    expect(planner.children.map((c) => [c.name, c.run_type, c.status])).toEqual([
      ['llm-call', 'llm', 'completed'],
      ['search', 'tool', 'failed'],
    ]);
    const [llm, search] = planner.children;
    expect(search.error).toContain('search backend down for where is my order?');
    expect(llm.duration_ms).toBeGreaterThanOrEqual(10);
    expect(search.duration_ms).toBeGreaterThanOrEqual(0);
    expect(planner.duration_ms).toBeGreaterThanOrEqual(llm.duration_ms! + search.duration_ms!);
    expect(root.duration_ms).toBeGreaterThanOrEqual(planner.duration_ms!);
    return { root, planner, llm, search };
  }

  async function expectSessionLog(traceId: string, runIds: string[]) {
    const res = await request(t.http)
      .get(`/api/traces/${traceId}/events?limit=1000`)
      .set('Authorization', `Bearer ${tenant.key}`)
      .expect(200);
    const events = res.body.data as { type: string; payload: Record<string, unknown>; seq: number }[];
    const of = (type: string) => events.filter((e) => e.type === type).map((e) => e.payload.run_id);
    expect(new Set(of('run.start'))).toEqual(new Set(runIds));
    expect(new Set(of('run.end'))).toEqual(new Set(runIds));
    const ends = events.filter((e) => e.type === 'run.end');
    expect(ends.find((e) => e.payload.name === 'search')?.payload).toMatchObject({ status: 'failed' });
    expect(ends.find((e) => e.payload.name === 'llm-call')?.payload).toMatchObject({
      status: 'completed',
      usage: { input_tokens: 12, output_tokens: 5, total_tokens: 17 },
    });
    expect(events.filter((e) => e.type === 'session.end').map((e) => e.payload.status)).toEqual(['completed']);
    const session = await request(t.http).get(`/api/traces/${traceId}`).set('x-api-key', tenant.key).expect(200);
    expect(session.body).toMatchObject({ source: 'langsmith', status: 'completed', agent: { name: 'support-agent' } });
    return events;
  }

  it('serves /info the way the SDK reads it: public, all six batch keys, only implemented flags', async () => {
    const res = await request(t.http).get('/api/v1/info').expect(200);
    expect(res.body).toEqual({
      version: expect.any(String),
      license_expiration_time: null,
      batch_ingest_config: {
        use_multipart_endpoint: true,
        size_limit: 100,
        size_limit_bytes: 10 * 1024 * 1024,
        scale_up_qsize_trigger: 1000,
        scale_up_nthreads_limit: 16,
        scale_down_nempty_trigger: 4,
      },
      instance_flags: { gzip_body_enabled: true, zstd_compression_enabled: false },
    });
  });

  it('takes a traced agent over gzip multipart (the SDK default) and gives back its tree and session log', async () => {
    const client = new Client({ apiUrl, apiKey: tenant.key });
    const traceId = await runAgent(client, 'sdk-e2e');

    expect(sdkComplaints.filter((m) => !m.includes('deprecated'))).toEqual([]);
    expect(seen.some((r) => r.method === 'GET' && r.path === '/api/v1/info')).toBe(true);
    const ingest = seen.filter((r) => r.method === 'POST' && r.path.startsWith('/api/v1/runs'));
    expect(ingest.length).toBeGreaterThan(0);
    expect(ingest.every((r) => r.path === '/api/v1/runs/multipart' && r.encoding === 'gzip')).toBe(true);

    const { root, planner, llm, search } = await expectTree(traceId);
    await expectSessionLog(traceId, [root.id, planner.id, llm.id, search.id]);

    const run = await api(`/api/v1/runs/${search.id}`).expect(200);
    expect(run.body).toMatchObject({
      id: search.id,
      trace_id: traceId,
      parent_run_id: planner.id,
      run_type: 'tool',
      status: 'failed',
      project_name: 'sdk-e2e',
      inputs: { input: 'where is my order?' },
    });
    expect(run.body.dotted_order).toMatch(new RegExp(`^\\d{8}T\\d{6,}Z${traceId}\\..+${search.id}$`));
    expect(run.body.extra.runtime).toMatchObject({ sdk: 'langsmith-js' });
  });

  it('takes a streamed (chunked, uncompressed) multipart body with attachments and feedback', async () => {
    process.env.LANGSMITH_DISABLE_RUN_COMPRESSION = 'true';
    const client = new Client({ apiUrl, apiKey: tenant.key });
    delete process.env.LANGSMITH_DISABLE_RUN_COMPRESSION;
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80]);
    const root = new RunTree({
      name: 'screenshot-agent',
      run_type: 'chain',
      inputs: { question: 'what is on screen? ünïcödé ✓' },
      client,
      project_name: 'sdk-e2e',
      attachments: { screen: ['image/png', png] },
    });
    await root.postRun();
    const child = root.createChild({ name: 'vision', run_type: 'llm', inputs: { image: 'screen' } });
    await child.postRun();
    await child.end({ text: 'a cat' });
    await child.patchRun();
    await root.end({ answer: 'a cat' });
    await root.patchRun();
    await client.createFeedback(root.id, 'correctness', { score: 1, comment: 'right', traceId: root.trace_id });
    await client.awaitPendingTraceBatches();

    expect(sdkComplaints.filter((m) => !m.includes('deprecated') && !m.includes('sessionId'))).toEqual([]);
    const ingest = seen.filter((r) => r.method === 'POST' && r.path.startsWith('/api/v1/runs'));
    expect(ingest.length).toBeGreaterThan(0);
    expect(ingest.every((r) => r.path === '/api/v1/runs/multipart' && r.encoding === undefined && r.chunked)).toBe(
      true,
    );

    const stored = await api(`/api/v1/runs/${root.id}`).expect(200);
    expect(stored.body).toMatchObject({
      status: 'completed',
      inputs: { question: 'what is on screen? ünïcödé ✓' },
      outputs: { answer: 'a cat' },
      attachments: { screen: { content_type: 'image/png', size: png.length } },
    });
    const feedback = await api(`/api/v1/feedback?run=${root.id}`).expect(200);
    expect(feedback.body).toEqual([
      expect.objectContaining({ run_id: root.id, key: 'correctness', score: 1, comment: 'right' }),
    ]);
    const events = await request(t.http)
      .get(`/api/traces/${root.trace_id}/events?type=feedback`)
      .set('x-api-key', tenant.key)
      .expect(200);
    expect(events.body.data).toEqual([
      expect.objectContaining({ type: 'feedback', payload: expect.objectContaining({ key: 'correctness', score: 1 }) }),
    ]);
  });

  it('falls back to /runs/batch when the multipart route is missing, as the SDK does after a 404', async () => {
    const fetchWithoutMultipart = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith('/runs/multipart')) return new Response('{"detail":"Not Found"}', { status: 404 });
      return fetch(input, init);
    }) as typeof fetch;
    // Uncompressed: the SDK falls back within the batch that met the 404 (a gzip batch would be dropped).
    process.env.LANGSMITH_DISABLE_RUN_COMPRESSION = 'true';
    const client = new Client({ apiUrl, apiKey: tenant.key, fetchImplementation: fetchWithoutMultipart });
    delete process.env.LANGSMITH_DISABLE_RUN_COMPRESSION;
    const traceId = await runAgent(client, 'sdk-e2e-batch');

    expect(sdkComplaints.filter((m) => !m.includes('Not Found') && !m.includes('404'))).toEqual([]);
    expect(seen.some((r) => r.method === 'POST' && r.path === '/api/v1/runs/batch')).toBe(true);
    const { root, planner, llm, search } = await expectTree(traceId);
    await expectSessionLog(traceId, [root.id, planner.id, llm.id, search.id]);
    const run = await api(`/api/v1/runs/${root.id}`).expect(200);
    expect(run.body.project_name).toBe('sdk-e2e-batch');
  });
});
