import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import type { Principal } from 'src/modules/auth/principal';
import { RunsIngestService } from 'src/modules/traces/runs/runs-ingest.service';
import { createProject, createTenant, expectProblem, Tenant } from 'test/fixtures/factories';
import { child, multipart, run, runParts } from 'test/fixtures/langsmith';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

const LIMIT = 256 * 1024;
useTestEnvironment({ HTTP_BODY_LIMIT_BYTES: String(LIMIT), INGEST_MAX_EVENT_BYTES: String(32 * 1024) });
jest.setTimeout(60_000);

describe('LangSmith-compatible API: validation, limits, pending updates, tenants', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    t = await createTestApp();
    a = await createTenant(t.dataSource);
    b = await createTenant(t.dataSource);
  });
  afterAll(() => t.close());

  const as = (tenant: Tenant) => ({
    batch: (body: unknown) =>
      request(t.http)
        .post('/api/v1/runs/batch')
        .set('x-api-key', tenant.key)
        .send(body as object),
    create: (body: unknown) =>
      request(t.http)
        .post('/api/v1/runs')
        .set('x-api-key', tenant.key)
        .send(body as object),
    patch: (id: string, body: unknown) =>
      request(t.http)
        .patch(`/api/v1/runs/${id}`)
        .set('x-api-key', tenant.key)
        .send(body as object),
    get: (path: string) => request(t.http).get(path).set('x-api-key', tenant.key),
    multipart: (body: Buffer, contentType: string, headers: Record<string, string> = {}) =>
      request(t.http)
        .post('/api/v1/runs/multipart')
        .set('x-api-key', tenant.key)
        .set('Content-Type', contentType)
        .set(headers)
        .send(body),
  });
  const events = async (tenant: Tenant, traceId: string) =>
    (await as(tenant).get(`/api/traces/${traceId}/events?limit=1000`).expect(200)).body.data as {
      type: string;
      idempotency_key: string;
      payload: Record<string, unknown>;
    }[];

  describe('validation', () => {
    it('stores every valid run of a batch and names each malformed one with its reason', async () => {
      const root = run();
      const okEpoch = child(root, {
        start_time: Date.parse('2026-01-01T10:00:01Z'),
        end_time: Date.parse('2026-01-01T10:00:02.5Z'),
      });
      const okNoZone = child(root, {
        start_time: '2026-01-01T10:00:03.123456',
        outputs: { ok: true },
        end_time: '2026-01-01T10:00:04',
      });
      const bad = {
        id: child(root, { id: 'not-a-uuid' }),
        time: child(root, { start_time: 'yesterday' }),
        type: child(root, { run_type: 'robot' }),
        name: child(root, { name: undefined }),
        order: child(root, { end_time: '2026-01-01T09:00:00Z' }),
        inputs: child(root, { inputs: ['a', 'b'] }),
        dotted: child(root, { dotted_order: `20260101T100000000001Z${randomUUID()}` }),
        month: child(root, { start_time: '2026-13-01T10:00:00Z' }),
      };
      const res = await as(a)
        .batch({ post: [root, okEpoch, okNoZone, ...Object.values(bad)], patch: [] })
        .expect(200);
      expect(res.body).toMatchObject({ success: false, created_count: 3, updated_count: 0 });
      const reasons = Object.fromEntries(
        (res.body.errors as { run_id: string; reason: string; code: string }[]).map((e) => [e.run_id, e]),
      );
      expect(Object.keys(reasons)).toHaveLength(Object.keys(bad).length);
      expect(reasons['not-a-uuid'].reason).toMatch(/id must be a UUID/);
      expect(reasons[bad.time.id].reason).toMatch(/start_time is not an ISO-8601 date-time: "yesterday"/);
      expect(reasons[bad.type.id].reason).toMatch(/run_type must be one of llm, chain, tool/);
      expect(reasons[bad.name.id].reason).toMatch(/a run needs name/);
      expect(reasons[bad.order.id].reason).toMatch(/end_time .* is before start_time/);
      expect(reasons[bad.inputs.id].reason).toMatch(/inputs must be a JSON object/);
      expect(reasons[bad.dotted.id].reason).toMatch(/dotted_order must end with the run's own id/);
      expect(reasons[bad.month.id].reason).toMatch(/not a valid date-time/);
      expect(Object.values(reasons).every((e) => e.code === 'invalid')).toBe(true);

      const epoch = await as(a).get(`/api/v1/runs/${okEpoch.id}`).expect(200);
      expect(epoch.body).toMatchObject({
        start_time: '2026-01-01T10:00:01.000000Z',
        end_time: '2026-01-01T10:00:02.500000Z',
        duration_ms: 1500,
        status: 'completed',
      });
      const noZone = await as(a).get(`/api/v1/runs/${okNoZone.id}`).expect(200);
      expect(noZone.body.start_time).toBe('2026-01-01T10:00:03.123456Z');
      await as(a).get(`/api/v1/runs/${bad.time.id}`).expect(404);
    });

    it('answers 422 naming every run when nothing of the batch can be stored', async () => {
      const res = await as(a).batch({ post: [run({ start_time: 'soon' }), run({ run_type: 'x' })] });
      expectProblem(res, 422);
      expect(res.body.errors).toHaveLength(2);
      expect(res.body.errors[0]).toEqual({ field: expect.stringMatching(/^run /), message: expect.any(String) });
      expectProblem(await as(a).batch({ post: 'nope' }), 422);
      expectProblem(await as(a).create(run({ start_time: 'soon' })), 422);
    });

    it('takes a re-sent run as a success and stores its events once', async () => {
      const root = run({ end_time: '2026-01-01T10:00:05Z', outputs: { answer: 42 } });
      expect((await as(a).create(root).expect(201)).body).toMatchObject({ success: true, created_count: 1 });
      expect((await as(a).create(root).expect(200)).body).toMatchObject({ success: true, updated_count: 1 });
      expect(
        (
          await as(a)
            .batch({ post: [root] })
            .expect(200)
        ).body,
      ).toMatchObject({ success: true, updated_count: 1 });
      const log = await events(a, root.id);
      expect(log.map((e) => e.type)).toEqual(['run.start', 'run.end', 'session.end']);
    });

    it('merges a create and an update of the same run sent in one batch', async () => {
      const root = run();
      const res = await as(a)
        .batch({
          post: [root],
          patch: [{ id: root.id, trace_id: root.id, end_time: '2026-01-01T10:00:02Z', error: 'boom' }],
        })
        .expect(200);
      expect(res.body).toMatchObject({ success: true, created_count: 1, updated_count: 0 });
      expect((await as(a).get(`/api/v1/runs/${root.id}`).expect(200)).body).toMatchObject({
        status: 'failed',
        error: 'boom',
      });
    });

    it('keeps a run whose inputs exceed the session log event limit, its start event trimmed to fit', async () => {
      const big = run({
        inputs: { document: 'y'.repeat(100 * 1024) },
        end_time: '2026-01-01T10:00:01Z',
        outputs: { ok: 1 },
      });
      expect(
        (
          await as(a)
            .batch({ post: [big, run()] })
            .expect(200)
        ).body,
      ).toMatchObject({ success: true, created_count: 2 });
      expect((await as(a).get(`/api/v1/runs/${big.id}`).expect(200)).body.inputs.document).toHaveLength(100 * 1024);
      const log = await events(a, big.id);
      expect(log.map((e) => e.type)).toEqual(['run.start', 'run.end', 'session.end']);
      expect(log[0].payload).toMatchObject({ run_id: big.id, inputs: { _truncated: true, _bytes: 100 * 1024 + 15 } });
      expect(log[1].payload).toMatchObject({ status: 'completed', outputs: { ok: 1 } });
    });

    it('replaces NUL characters PostgreSQL cannot store instead of losing the run', async () => {
      const root = run({ inputs: { text: 'a\u0000b' }, error: 'x\u0000y', end_time: '2026-01-01T10:00:01Z' });
      const other = run();
      expect(
        (
          await as(a)
            .batch({ post: [root, other] })
            .expect(200)
        ).body,
      ).toMatchObject({ success: true, created_count: 2 });
      const stored = await as(a).get(`/api/v1/runs/${root.id}`).expect(200);
      expect(stored.body).toMatchObject({ inputs: { text: 'a\ufffdb' }, error: 'x\ufffdy', status: 'failed' });
    });
  });

  describe('updates that arrive before their run', () => {
    it('keeps an update for an unknown run, says so, and applies it when the run arrives', async () => {
      const root = run();
      const patch = { id: root.id, trace_id: root.id, end_time: '2026-01-01T10:00:09Z', outputs: { done: true } };
      const early = await as(a)
        .batch({ post: [], patch: [patch] })
        .expect(202);
      expect(early.body).toMatchObject({ success: false, created_count: 0, updated_count: 0 });
      expect(early.body.errors).toEqual([
        {
          run_id: root.id,
          code: 'pending',
          reason: `run ${root.id} not found yet; the update is kept and applied when the run arrives`,
        },
      ]);
      const single = await as(a).patch(root.id, { error: 'late error' }).expect(202);
      expect(single.body.errors[0].code).toBe('pending');

      const arrived = await as(a)
        .batch({ post: [root] })
        .expect(200);
      expect(arrived.body).toMatchObject({ success: true, created_count: 1, updated_count: 1 });
      const stored = await as(a).get(`/api/v1/runs/${root.id}`).expect(200);
      expect(stored.body).toMatchObject({ status: 'failed', outputs: { done: true }, error: 'late error' });
      expect((await events(a, root.id)).map((e) => e.type)).toEqual(['run.start', 'run.end', 'session.end']);
      const left = await t.dataSource.query('SELECT count(*)::int AS n FROM run_pending_patches WHERE run_id = $1', [
        root.id,
      ]);
      expect(left[0].n).toBe(0);
    });

    it('reports an update whose run never comes as pending, and keeps everything valid sent with it', async () => {
      const orphan = randomUUID();
      const root = run();
      const res = await as(a)
        .batch({
          post: [root],
          patch: [
            { id: orphan, end_time: '2026-01-01T10:00:01Z' },
            { id: root.id, end_time: '2026-01-01T10:00:02Z' },
          ],
        })
        .expect(200);
      expect(res.body).toMatchObject({ created_count: 1, errors: [{ run_id: orphan, code: 'pending' }] });
      expect((await as(a).get(`/api/v1/runs/${root.id}`).expect(200)).body.status).toBe('completed');
      await as(a).get(`/api/v1/runs/${orphan}`).expect(404);
    });

    it('converges whatever the order when a run and its update race in separate requests', async () => {
      const roots = Array.from({ length: 40 }, () => run());
      await Promise.all(
        roots.flatMap((root, i) => {
          const post = as(a).batch({ post: [root] });
          const patch = as(a).batch({
            patch: [{ id: root.id, trace_id: root.id, end_time: '2026-01-01T10:00:02Z', outputs: { i } }],
          });
          return i % 2 ? [post, patch] : [patch, post];
        }),
      );
      for (const [i, root] of roots.entries()) {
        const stored = await as(a).get(`/api/v1/runs/${root.id}`).expect(200);
        expect(stored.body).toMatchObject({ status: 'completed', outputs: { i } });
      }
    });

    it('refuses an update that changes nothing, and one whose body names another run', async () => {
      const root = run();
      await as(a).create(root).expect(201);
      expectProblem(await as(a).patch(root.id, {}), 422);
      expectProblem(await as(a).patch(root.id, { id: randomUUID(), end_time: 1 }), 422);
      expect((await as(a).patch(root.id, { end_time: '2026-01-01T10:00:01Z' }).expect(200)).body.updated_count).toBe(1);
    });
  });

  describe('limits', () => {
    it('advertises the body limit it enforces', async () => {
      const info = await request(t.http).get('/api/v1/info').expect(200);
      expect(info.body.batch_ingest_config.size_limit_bytes).toBe(LIMIT);
    });

    it('answers 413 to a JSON batch over the limit and stores nothing of it', async () => {
      const big = run({ inputs: { text: 'x'.repeat(LIMIT) } });
      expectProblem(await as(a).batch({ post: [big, run()] }), 413);
      await as(a).get(`/api/v1/runs/${big.id}`).expect(404);
    });

    it('answers 413 to a multipart body over the limit, declared or streamed, and to a gzip bomb', async () => {
      const big = run({ inputs: { text: 'x'.repeat(LIMIT) } });
      const { body, contentType } = multipart(runParts('post', big));
      expectProblem(await as(a).multipart(body, contentType), 413);

      const chunked = request(t.http)
        .post('/api/v1/runs/multipart')
        .set('x-api-key', a.key)
        .set('Content-Type', contentType)
        .set('Transfer-Encoding', 'chunked');
      chunked.write(body.subarray(0, 1000));
      chunked.write(body.subarray(1000));
      expectProblem(await chunked, 413);

      const bomb = run({ inputs: { text: 'y'.repeat(LIMIT * 3) } });
      const packed = multipart(runParts('post', bomb));
      const gz = gzipSync(packed.body);
      expect(gz.length).toBeLessThan(LIMIT);
      expectProblem(await as(a).multipart(gz, packed.contentType, { 'Content-Encoding': 'gzip' }), 413);
      await as(a).get(`/api/v1/runs/${big.id}`).expect(404);
      await as(a).get(`/api/v1/runs/${bomb.id}`).expect(404);
    });
  });

  describe('multipart', () => {
    it('reads a gzip body with runs, their field parts, an update and feedback', async () => {
      const root = run({ outputs: undefined });
      const step = child(root, { end_time: '2026-01-01T10:00:01Z', outputs: { hits: 3 } });
      const feedbackId = randomUUID();
      const { body, contentType } = multipart([
        ...runParts('post', root),
        ...runParts('post', step),
        ...runParts('patch', {
          id: root.id,
          trace_id: root.id,
          end_time: '2026-01-01T10:00:02Z',
          outputs: { answer: 'ok' },
        }),
        { name: `feedback.${feedbackId}`, body: JSON.stringify({ run_id: step.id, key: 'helpful', score: 0.5 }) },
      ]);
      const res = await as(a).multipart(gzipSync(body), contentType, { 'Content-Encoding': 'gzip' }).expect(200);
      expect(res.body).toMatchObject({ success: true, created_count: 2 });
      expect((await as(a).get(`/api/v1/runs/${root.id}`).expect(200)).body).toMatchObject({
        status: 'completed',
        inputs: { question: 'hi' },
        outputs: { answer: 'ok' },
      });
      const fb = await as(a).get(`/api/v1/feedback/${feedbackId}`).expect(200);
      expect(fb.body).toMatchObject({ run_id: step.id, key: 'helpful', score: 0.5, trace_id: root.id });
      const log = await events(a, root.id);
      expect(log.filter((e) => e.type === 'feedback').map((e) => e.payload)).toEqual([
        expect.objectContaining({ key: 'helpful', score: 0.5, run_id: step.id, feedback_id: feedbackId }),
      ]);
    });

    it('lists each bad part under its run and keeps the runs of the good parts', async () => {
      const good = run();
      const badJson = run();
      const colourful = run();
      const lonely = randomUUID();
      const { body, contentType } = multipart([
        ...runParts('post', good),
        { name: `post.${badJson.id}`, body: '{"id": "broken' },
        { name: `post.${badJson.id}.inputs`, body: '{}' },
        { name: `post.${lonely}.outputs`, body: '{"x": 1}' },
        ...runParts('post', colourful),
        { name: `post.${colourful.id}.colour`, body: '"blue"' },
        { name: 'hello', body: '{}' },
        { name: `frobnicate.${randomUUID()}`, body: '{}' },
      ]);
      const res = await as(a).multipart(body, contentType).expect(200);
      expect(res.body.created_count).toBe(1);
      const byRun = (res.body.errors as { run_id: string | null; reason: string }[]).map((e) => [e.run_id, e.reason]);
      expect(byRun).toHaveLength(5);
      expect(byRun).toEqual(
        expect.arrayContaining([
          [badJson.id, expect.stringMatching(/part post\..* refused: it is not valid JSON/)],
          [lonely, expect.stringMatching(/came without its post\./)],
          [colourful.id, expect.stringMatching(/colour is not a run field/)],
          [null, expect.stringMatching(/part hello refused/)],
          [expect.any(String), expect.stringMatching(/must start with post, patch, attachment or feedback/)],
        ]),
      );
      await as(a).get(`/api/v1/runs/${good.id}`).expect(200);
      // A run with one unusable part is left out whole (never stored half).
      await as(a).get(`/api/v1/runs/${badJson.id}`).expect(404);
      await as(a).get(`/api/v1/runs/${colourful.id}`).expect(404);
    });

    it('answers 400 to a body that is not multipart at all, 415 to what it cannot decode', async () => {
      const good = run();
      const { body, contentType } = multipart(runParts('post', good));
      expectProblem(await as(a).multipart(body.subarray(0, body.length - 30), contentType), 400);
      expectProblem(await as(a).multipart(body, 'multipart/form-data'), 400);
      expectProblem(
        await as(a).multipart(Buffer.from('not gzip at all'), contentType, { 'Content-Encoding': 'gzip' }),
        400,
      );
      expectProblem(await as(a).multipart(body, contentType, { 'Content-Encoding': 'zstd' }), 415);
      expectProblem(await as(a).multipart(Buffer.from('{}'), 'application/json'), 415);
      await as(a).get(`/api/v1/runs/${good.id}`).expect(404);
      // The same body, whole: stored.
      await as(a).multipart(body, contentType).expect(200);
      await as(a).get(`/api/v1/runs/${good.id}`).expect(200);
    });

    it('keeps attachments byte for byte in object storage', async () => {
      const root = run();
      const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80, 0x7f, 0xc3, 0x28]);
      const { body, contentType } = multipart([
        ...runParts('post', root),
        { name: `attachment.${root.id}.blob`, body: bytes, type: 'application/x-thing' },
      ]);
      await as(a).multipart(body, contentType).expect(200);
      const stored = await as(a).get(`/api/v1/runs/${root.id}`).expect(200);
      expect(stored.body.attachments).toEqual({
        blob: {
          content_type: 'application/x-thing',
          size: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
        },
      });
    });
  });

  describe('projects and pinned keys', () => {
    it('creates a project on first use of a session name, and finds it again by name', async () => {
      const first = run({ session_name: 'Customer Support (EU)' });
      const second = run({ session_name: 'Customer Support (EU)' });
      await as(a)
        .batch({ post: [first] })
        .expect(200);
      await as(a)
        .batch({ post: [second] })
        .expect(200);
      const [x, y] = await Promise.all([first, second].map((r) => as(a).get(`/api/v1/runs/${r.id}`).expect(200)));
      expect(x.body.project_name).toBe('Customer Support (EU)');
      expect(y.body.session_id).toBe(x.body.session_id);
      const rows = await t.dataSource.query('SELECT slug FROM projects WHERE id = $1', [x.body.session_id]);
      expect(rows[0].slug).toBe('customer-support-eu');
    });

    it('writes a pinned key to its project, and refuses another project with 403', async () => {
      const pinned = await createTenant(t.dataSource, { pinned: true });
      const mine = run({ session_name: undefined });
      const sdkDefault = run({ session_name: 'default' });
      await as(pinned)
        .batch({ post: [mine, sdkDefault] })
        .expect(200);
      for (const r of [mine, sdkDefault]) {
        expect((await as(pinned).get(`/api/v1/runs/${r.id}`).expect(200)).body.session_id).toBe(pinned.project.id);
      }
      const elsewhere = await as(pinned).batch({ post: [run({ session_name: 'someone-else' })] });
      expectProblem(elsewhere, 403);
      expect(elsewhere.body.errors[0].message).toMatch(/pinned to project/);
      const other = await createProject(t.dataSource, pinned.workspace.id);
      expectProblem(await as(pinned).create(run({ session_id: other.id })), 403);
      const mixed = await as(pinned)
        .batch({ post: [run({ session_name: 'someone-else' }), run({ session_name: undefined })] })
        .expect(200);
      expect(mixed.body).toMatchObject({ created_count: 1, errors: [{ code: 'forbidden' }] });
    });
  });

  describe('tenants', () => {
    it("never shows, changes or reuses another workspace's runs, traces, feedback or dashboards", async () => {
      const root = run({ session_name: 'tenant-a-only', end_time: '2026-01-01T10:00:05Z', outputs: { secret: 'a' } });
      const step = child(root, { end_time: '2026-01-01T10:00:01Z' });
      await as(a)
        .batch({ post: [root, step] })
        .expect(200);
      const feedback = await request(t.http)
        .post('/api/v1/feedback')
        .set('x-api-key', a.key)
        .send({ run_id: root.id, key: 'quality', score: 1 })
        .expect(200);

      await as(b).get(`/api/v1/runs/${root.id}`).expect(404);
      await as(b).get(`/api/v1/dashboard/runs/${root.id}/hierarchy`).expect(404);
      await as(b)
        .get(`/api/v1/feedback/${feedback.body.id as string}`)
        .expect(404);
      await as(b).get(`/api/traces/${root.id}/events`).expect(404);
      expect((await as(b).get('/api/v1/feedback').expect(200)).body).toEqual([]);
      const roots = await as(b).get('/api/v1/dashboard/runs/roots?limit=1000').expect(200);
      expect(JSON.stringify(roots.body)).not.toContain(root.id);
      const stats = await as(b).get('/api/v1/dashboard/stats/summary').expect(200);
      expect(stats.body.stats.project_distribution['tenant-a-only']).toBeUndefined();

      expectProblem(await as(b).patch(root.id, { error: 'sabotage' }), 404);
      const stolen = await as(b).batch({ post: [run({ id: root.id, trace_id: randomUUID(), name: 'stolen' })] });
      expectProblem(stolen, 422);
      expect(stolen.body.detail).toMatch(/already used/);
      const intruder = await as(b).batch({
        post: [run({ trace_id: root.id, parent_run_id: root.id, name: 'intruder' })],
      });
      expectProblem(intruder, 422);
      expect(intruder.body.detail).toMatch(/trace_id .* cannot be used/);
      expectProblem(
        await request(t.http)
          .post('/api/v1/feedback')
          .set('x-api-key', b.key)
          .send({ run_id: root.id, key: 'x', score: 0 }),
        404,
      );

      const after = await as(a).get(`/api/v1/runs/${root.id}`).expect(200);
      expect(after.body).toMatchObject({ name: 'agent', status: 'completed', error: null, outputs: { secret: 'a' } });
      expect((await as(a).get(`/api/v1/feedback?run=${root.id}`).expect(200)).body).toHaveLength(1);
    });
  });

  describe('feedback', () => {
    it('keeps feedback on a run not stored yet and adds it to the session when the run arrives', async () => {
      const root = run();
      const early = await request(t.http)
        .post('/api/v1/feedback')
        .set('x-api-key', a.key)
        .send({ run_id: root.id, key: 'thumbs', score: true, comment: 'nice' })
        .expect(202);
      expect(early.body).toMatchObject({ run_id: root.id, score: 1, session_id: null });
      await as(a).create(root).expect(201);
      const fb = await as(a)
        .get(`/api/v1/feedback/${early.body.id as string}`)
        .expect(200);
      expect(fb.body).toMatchObject({ trace_id: root.id, session_id: expect.any(String) });
      expect((await events(a, root.id)).filter((e) => e.type === 'feedback')).toHaveLength(1);
      const again = await request(t.http)
        .post('/api/v1/feedback')
        .set('x-api-key', a.key)
        .send({ id: early.body.id, run_id: root.id, key: 'thumbs', score: true, comment: 'nice' })
        .expect(200);
      expect(again.body.id).toBe(early.body.id);
      expectProblem(
        await request(t.http).post('/api/v1/feedback').set('x-api-key', a.key).send({ run_id: root.id }),
        422,
      );
      const listed = await as(a).get(`/api/v1/feedback?run=${root.id}&key=thumbs&source=api&source=model`).expect(200);
      expect(listed.body).toEqual([]);
      expect((await as(a).get(`/api/v1/feedback?run=${root.id}&key=thumbs`).expect(200)).body).toHaveLength(1);
    });
  });

  describe('the ingestion service (as OTLP calls it)', () => {
    it('appends typed events between a run start and end, reports refused ones, and names the session after the root', async () => {
      const ingest = t.app.get(RunsIngestService);
      const principal: Principal = {
        kind: 'api_key',
        userId: a.user.id,
        email: a.user.email,
        isSuperadmin: false,
        workspaceId: a.workspace.id,
        role: 'owner',
        projectId: null,
        apiKeyId: a.keyId,
      };
      const traceId = randomUUID();
      const rootId = randomUUID();
      const llm = {
        id: randomUUID(),
        trace_id: traceId,
        parent_run_id: rootId,
        name: 'chat gpt-4o',
        run_type: 'llm',
        start_time: '2026-01-01T10:00:01.000000Z',
        end_time: '2026-01-01T10:00:02.000000Z',
        outputs: { text: 'hello' },
      };
      const extra = new Map([
        [
          llm.id,
          [
            {
              type: 'llm.call',
              key: `otel:${llm.id}:llm.call`,
              payload: { call_id: llm.id, model: 'gpt-4o' },
              timestamp: llm.start_time,
            },
            {
              type: 'llm.result',
              key: `otel:${llm.id}:llm.result`,
              payload: { call_id: llm.id },
              timestamp: llm.end_time,
            },
            { type: 'llm.result', key: `otel:${llm.id}:bad`, payload: { model: 'no call id' } },
          ],
        ],
      ]);
      // The child arrives first: its session is named after it until the root comes.
      const first = await ingest.ingest(principal, { post: [llm], patch: [] }, 'otlp', extra);
      expect(first).toMatchObject({
        created_count: 1,
        errors: [{ run_id: llm.id, code: 'invalid', reason: expect.stringMatching(/event llm.result refused/) }],
      });
      const session = await as(a).get(`/api/traces/${traceId}`).expect(200);
      expect(session.body).toMatchObject({ source: 'otlp', agent: { name: 'chat gpt-4o' } });

      const root = {
        id: rootId,
        trace_id: traceId,
        parent_run_id: null,
        name: 'weather-agent',
        run_type: 'chain',
        start_time: '2026-01-01T10:00:00Z',
        end_time: '2026-01-01T10:00:03Z',
      };
      const second = await ingest.ingest(principal, { post: [root], patch: [] }, 'otlp');
      expect(second).toMatchObject({ success: true, created_count: 1 });
      expect((await as(a).get(`/api/traces/${traceId}`).expect(200)).body).toMatchObject({
        agent: { name: 'weather-agent' },
        status: 'completed',
      });
      const log = await events(a, traceId);
      const llmEvents = log.filter((e) => e.idempotency_key.includes(llm.id)).map((e) => e.type);
      expect(llmEvents).toEqual(['run.start', 'llm.call', 'llm.result', 'run.end']);
      const tree = await as(a).get(`/api/v1/dashboard/runs/${traceId}/hierarchy`).expect(200);
      expect(tree.body).toMatchObject({
        root_run_id: rootId,
        total_runs: 2,
        max_depth: 2,
        hierarchy: { children: [{ id: llm.id }] },
      });
    });
  });
});
