import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createTenant, expectProblem, Tenant } from 'test/fixtures/factories';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment();
jest.setTimeout(300_000);

interface Node {
  id: string;
  parent_run_id: string | null;
  name: string;
  status: string;
  duration_ms: number | null;
  children: Node[];
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('dashboard: root runs, run trees, summary', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const client = (tenant: Tenant) => ({
    batch: async (post: object[]) => {
      const res = await request(t.http)
        .post('/api/v1/runs/batch')
        .set('x-api-key', tenant.key)
        .send({ post, patch: [] });
      expect(res.status).toBe(200);
      expect(res.body.errors).toEqual([]);
      return res.body as { created_count: number };
    },
    get: (path: string) => request(t.http).get(path).set('x-api-key', tenant.key),
  });

  describe('root runs', () => {
    let tenant: Tenant;
    const base = Date.UTC(2026, 0, 10, 12, 0, 0);
    /** 25 traces: 15 in "alpha" (every third failed), 10 in "beta" (every other running). */
    const traces: { id: string; name: string; project: string; status: string; start: number }[] = [];

    beforeAll(async () => {
      tenant = await createTenant(t.dataSource);
      const post: object[] = [];
      for (let i = 0; i < 25; i++) {
        const id = randomUUID();
        const project = i < 15 ? 'alpha' : 'beta';
        const status = project === 'alpha' ? (i % 3 === 0 ? 'failed' : 'completed') : i % 2 ? 'running' : 'completed';
        const name = i % 5 === 0 ? `Refund request ${i}` : `order lookup ${i}`;
        const start = base + i * 60_000;
        traces.push({ id, name, project, status, start });
        post.push({
          id,
          trace_id: id,
          name,
          run_type: 'chain',
          session_name: project,
          start_time: iso(start),
          inputs: { i },
          ...(status === 'running' ? {} : { end_time: iso(start + 1500), outputs: { ok: status === 'completed' } }),
          ...(status === 'failed' ? { error: 'upstream timeout' } : {}),
        });
        post.push({
          id: randomUUID(),
          trace_id: id,
          parent_run_id: id,
          name: `child of ${i}`,
          run_type: 'llm',
          session_name: project,
          start_time: iso(start + 10),
        });
      }
      await client(tenant).batch(post);
    });

    const roots = (query = '') => client(tenant).get(`/api/v1/dashboard/runs/roots${query}`).expect(200);
    const newestFirst = (list: typeof traces) => [...list].sort((a, b) => b.start - a.start).map((x) => x.id);

    it('lists root runs only, newest first, with their project, status and duration', async () => {
      const res = await roots();
      expect(res.body).toMatchObject({ total: 25, limit: 50, offset: 0, has_more: false });
      expect(res.body.runs.map((r: { id: string }) => r.id)).toEqual(newestFirst(traces));
      const failed = res.body.runs.find((r: { status: string }) => r.status === 'failed');
      expect(failed).toMatchObject({
        project_name: 'alpha',
        duration_ms: 1500,
        error: 'upstream timeout',
        run_type: 'chain',
      });
      const running = res.body.runs.find((r: { status: string }) => r.status === 'running');
      expect(running).toMatchObject({ end_time: null, duration_ms: null, project_name: 'beta' });
    });

    it('pages with limit and offset and says when there is more', async () => {
      const all = newestFirst(traces);
      const first = await roots('?limit=10');
      expect(first.body).toMatchObject({ total: 25, limit: 10, offset: 0, has_more: true });
      expect(first.body.runs.map((r: { id: string }) => r.id)).toEqual(all.slice(0, 10));
      const second = await roots('?limit=10&offset=10');
      expect(second.body.has_more).toBe(true);
      expect(second.body.runs.map((r: { id: string }) => r.id)).toEqual(all.slice(10, 20));
      const last = await roots('?limit=10&offset=20');
      expect(last.body).toMatchObject({ has_more: false, offset: 20 });
      expect(last.body.runs).toHaveLength(5);
      const beyond = await roots('?limit=10&offset=40');
      expect(beyond.body).toMatchObject({ runs: [], total: 25, has_more: false });
    });

    it('filters by project (name, slug or id), status, name and start time', async () => {
      const byProject = await roots('?project=alpha&limit=1000');
      expect(byProject.body.total).toBe(15);
      const projectId = byProject.body.runs[0].project_id as string;
      expect((await roots(`?project=${projectId}`)).body.total).toBe(15);
      expect((await roots('?project=nope')).body).toMatchObject({ total: 0, runs: [] });

      const failed = await roots('?status=failed');
      expect(failed.body.runs.map((r: { id: string }) => r.id)).toEqual(
        newestFirst(traces.filter((x) => x.status === 'failed')),
      );
      const runningBeta = await roots('?status=running&project=beta');
      expect(runningBeta.body.total).toBe(traces.filter((x) => x.status === 'running' && x.project === 'beta').length);

      const search = await roots('?search=REFUND');
      expect(search.body.runs.map((r: { id: string }) => r.id)).toEqual(
        newestFirst(traces.filter((x) => x.name.startsWith('Refund'))),
      );
      expect((await roots(`?search=${encodeURIComponent('%')}`)).body.total).toBe(0);

      const window = await roots(`?start_time_gte=${iso(base + 5 * 60_000)}&start_time_lte=${iso(base + 9 * 60_000)}`);
      expect(window.body.runs.map((r: { id: string }) => r.id)).toEqual(
        newestFirst(traces.filter((x) => x.start >= base + 5 * 60_000 && x.start <= base + 9 * 60_000)),
      );
    });

    it('refuses a limit past 1000 and unknown statuses', async () => {
      expectProblem(await client(tenant).get('/api/v1/dashboard/runs/roots?limit=1001'), 422);
      expectProblem(await client(tenant).get('/api/v1/dashboard/runs/roots?status=exploded'), 422);
      expectProblem(await client(tenant).get('/api/v1/dashboard/runs/roots?offset=-1'), 422);
    });
  });

  describe('run tree', () => {
    it('builds the tree of a 10,000-run trace: a 1,500-level chain and a wide fan-out', async () => {
      const tenant = await createTenant(t.dataSource);
      const rootId = randomUUID();
      const base = Date.UTC(2026, 0, 11);
      const CHAIN = 1500;
      const FAN_OUT = 10_000 - 1 - CHAIN;
      const runs: Record<string, unknown>[] = [];
      const chain: string[] = [];
      runs.push({
        id: rootId,
        trace_id: rootId,
        name: 'deep-agent',
        run_type: 'chain',
        start_time: iso(base),
        end_time: iso(base + 100_000),
        outputs: { ok: true },
      });
      let parent = rootId;
      for (let depth = 1; depth <= CHAIN; depth++) {
        const id = randomUUID();
        chain.push(id);
        runs.push({
          id,
          trace_id: rootId,
          parent_run_id: parent,
          name: `level ${depth}`,
          run_type: 'chain',
          start_time: `${iso(base + depth).slice(0, 23)}${String(depth % 1000).padStart(3, '0')}Z`,
          end_time: iso(base + 90_000 - depth),
        });
        parent = id;
      }
      const fan: string[] = [];
      for (let j = 0; j < FAN_OUT; j++) {
        const id = randomUUID();
        fan.push(id);
        runs.push({
          id,
          trace_id: rootId,
          parent_run_id: rootId,
          name: `tool ${j}`,
          run_type: 'tool',
          start_time: iso(base + 2000 + j),
          end_time: iso(base + 2000 + j + 3),
          ...(j % 100 === 0 ? { error: 'flaky' } : { outputs: { j } }),
        });
      }
      // Children first, parents last: the tree must not depend on arrival order.
      runs.reverse();
      for (let i = 0; i < runs.length; i += 500) await client(tenant).batch(runs.slice(i, i + 500));

      const started = Date.now();
      const res = await client(tenant).get(`/api/v1/dashboard/runs/${rootId}/hierarchy`).expect(200);
      const elapsed = Date.now() - started;
      process.stdout.write(`hierarchy of 10,000 runs, ${CHAIN + 1} levels: ${elapsed} ms, ${res.text.length} bytes\n`);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({
        root_run_id: rootId,
        trace_id: rootId,
        total_runs: 10_000,
        max_depth: CHAIN + 1,
        orphans: [],
      });

      const root = res.body.hierarchy as Node;
      expect(root).toMatchObject({ id: rootId, status: 'completed', duration_ms: 100_000 });
      expect(root.children).toHaveLength(FAN_OUT + 1);
      expect(root.children[0].id).toBe(chain[0]);
      expect(root.children.slice(1).map((c) => c.id)).toEqual(fan);
      expect(root.children.filter((c) => c.status === 'failed')).toHaveLength(Math.ceil(FAN_OUT / 100));
      expect(root.children[1]).toMatchObject({ duration_ms: 3, status: 'failed', children: [] });

      // Walk the chain without recursion: one child per level, in order, with its duration.
      let node = root.children[0];
      for (let depth = 1; depth <= CHAIN; depth++) {
        expect(node.id).toBe(chain[depth - 1]);
        expect(node.duration_ms).toBeGreaterThan(0);
        if (depth < CHAIN) {
          expect(node.children).toHaveLength(1);
          node = node.children[0];
        } else expect(node.children).toEqual([]);
      }

      const subtree = await client(tenant).get(`/api/v1/dashboard/runs/${chain[999]}/hierarchy`).expect(200);
      expect(subtree.body).toMatchObject({
        root_run_id: chain[999],
        trace_id: rootId,
        total_runs: CHAIN - 999,
        max_depth: CHAIN - 999,
      });

      const other = await createTenant(t.dataSource);
      await client(other).get(`/api/v1/dashboard/runs/${rootId}/hierarchy`).expect(404);
      await client(other).get(`/api/v1/dashboard/runs/${chain[10]}/hierarchy`).expect(404);
    });

    it('puts runs whose parent is missing beside the tree, not under it', async () => {
      const tenant = await createTenant(t.dataSource);
      const rootId = randomUUID();
      const lost = randomUUID();
      await client(tenant).batch([
        { id: rootId, trace_id: rootId, name: 'root', run_type: 'chain', start_time: iso(Date.UTC(2026, 0, 1)) },
        {
          id: lost,
          trace_id: rootId,
          parent_run_id: randomUUID(),
          name: 'lost',
          run_type: 'tool',
          start_time: iso(Date.UTC(2026, 0, 1, 0, 0, 1)),
        },
      ]);
      const res = await client(tenant).get(`/api/v1/dashboard/runs/${rootId}/hierarchy`).expect(200);
      expect(res.body).toMatchObject({
        total_runs: 2,
        max_depth: 1,
        hierarchy: { id: rootId, children: [] },
        orphans: [{ id: lost }],
      });
      expectProblem(await client(tenant).get(`/api/v1/dashboard/runs/${randomUUID()}/hierarchy`), 404);
    });
  });

  describe('summary', () => {
    it('counts runs, traces, the last 24 hours and the distributions of the workspace only', async () => {
      const tenant = await createTenant(t.dataSource);
      const now = Date.now();
      const trace = (
        project: string,
        start: number,
        children: { type: string; status: 'completed' | 'failed' | 'running' }[],
        rootStatus: 'completed' | 'failed' | 'running',
      ) => {
        const id = randomUUID();
        const end = (status: string, at: number) =>
          status === 'running'
            ? {}
            : { end_time: iso(at), ...(status === 'failed' ? { error: 'x' } : { outputs: {} }) };
        return [
          {
            id,
            trace_id: id,
            name: `${project} agent`,
            run_type: 'chain',
            session_name: project,
            start_time: iso(start),
            ...end(rootStatus, start + 50),
          },
          ...children.map((c, i) => ({
            id: randomUUID(),
            trace_id: id,
            parent_run_id: id,
            name: `${c.type} ${i}`,
            run_type: c.type,
            session_name: project,
            start_time: iso(start + 1 + i),
            ...end(c.status, start + 10 + i),
          })),
        ];
      };
      await client(tenant).batch([
        ...trace(
          'alpha',
          now - 60_000,
          [
            { type: 'llm', status: 'completed' },
            { type: 'tool', status: 'failed' },
          ],
          'completed',
        ),
        ...trace('alpha', now - 2 * 86_400_000, [{ type: 'llm', status: 'completed' }], 'failed'),
        ...trace('beta', now - 30_000, [{ type: 'retriever', status: 'running' }], 'running'),
      ]);
      const other = await createTenant(t.dataSource);
      await client(other).batch(trace('gamma', now, [], 'completed'));

      const res = await client(tenant).get('/api/v1/dashboard/stats/summary').expect(200);
      expect(res.body.stats).toEqual({
        total_runs: 7,
        total_traces: 3,
        recent_runs_24h: 5,
        status_distribution: { completed: 3, failed: 2, running: 2 },
        run_type_distribution: { chain: 3, llm: 2, tool: 1, retriever: 1 },
        project_distribution: { alpha: 5, beta: 2 },
      });
      expect(res.body.recent_projects).toEqual([
        { name: 'beta', total_runs: 2, total_traces: 1, last_activity: expect.any(String) },
        { name: 'alpha', total_runs: 5, total_traces: 2, last_activity: expect.any(String) },
      ]);
      expect(Date.parse(res.body.recent_projects[0].last_activity)).toBeGreaterThan(now - 31_000);
      expect(Date.parse(res.body.timestamp)).toBeGreaterThanOrEqual(now);
    });
  });
});
