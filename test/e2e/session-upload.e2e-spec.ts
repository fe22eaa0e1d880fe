import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ObjectStorage } from 'src/storage/object-storage';
import { countRows, createTenant, expectProblem, joinTenant, Tenant } from 'test/fixtures/factories';
import { traceClient } from 'test/fixtures/traces';
import {
  generatedJsonl,
  multipartStream,
  paddingJsonl,
  postStream,
  rssSampler,
  storedKeys,
  toJsonl,
  variedRun,
} from 'test/fixtures/uploads';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

/** Lines of the bounded-memory upload: 50k (~17 MB) by default; UPLOAD_TEST_LINES=200000 for ~70 MB. */
const LARGE_LINES = Number(process.env.UPLOAD_TEST_LINES ?? 50_000);
const UPLOAD_MAX_BYTES = Math.max(32 * 2 ** 20, LARGE_LINES * 400);

useTestEnvironment({ UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES) });

describe('session upload: POST /v1/sessions with a JSONL file', () => {
  let t: TestApp;
  let tenant: Tenant;
  let client: ReturnType<typeof traceClient>;
  let pinned: { key: string };
  beforeAll(async () => {
    t = await createTestApp();
    tenant = await createTenant(t.dataSource);
    client = traceClient(t, tenant.key);
    pinned = await joinTenant(t.dataSource, tenant, 'member', { pinned: true });
  }, 30_000);
  afterAll(() => t.close());

  /** The upload as the documented curl sends it: `-F input_events=@file.jsonl -F field=value`. */
  const upload = (
    key: string,
    jsonl: string,
    fields: [string, string][] = [['project_id', tenant.project.id]],
    fileFirst = false,
  ) => {
    const req = request(t.http).post('/v1/sessions').set('X-API-Key', key);
    const attach = () =>
      req.attach('input_events', Buffer.from(jsonl), {
        filename: 'input_events.jsonl',
        contentType: 'application/x-ndjson',
      });
    if (fileFirst) attach();
    for (const [name, value] of fields) req.field(name, value);
    if (!fileFirst) attach();
    return req;
  };
  const workspaceKeys = () => storedKeys(`workspaces/${tenant.workspace.id}`).sort();
  const state = async () => ({ rows: await countRows(t.dataSource, ['sessions', 'events']), keys: workspaceKeys() });

  it('replays the uploaded JSONL session identically to the same events sent through the API', async () => {
    const { lines, resolved } = variedRun();
    const suiteId = randomUUID();
    const jsonl = toJsonl(lines);
    const res = await upload(tenant.key, jsonl, [
      ['project_id', tenant.project.id],
      ['agent_name', 'support-agent'],
      ['agent_version', '2.0.0'],
      ['suite_id', suiteId],
    ]).expect(201);
    expect(res.body).toMatchObject({
      source: 'upload',
      suite_id: suiteId,
      project_id: tenant.project.id,
      workspace_id: tenant.workspace.id,
      agent: { name: 'support-agent', version: '2.0.0' },
      status: 'failed',
      event_count: lines.length,
      last_seq: 30,
      accepted: lines.length,
      duplicates: 0,
      rejected: 0,
    });
    const { accepted: _a, duplicates: _d, rejected: _r, ...session } = res.body as Record<string, unknown>;
    expect((await client.get(`/v1/sessions/${res.body.id}`).expect(200)).body).toEqual(session);

    const viaApi = (await client.createTrace({ project_id: tenant.project.id }).expect(201)).body.id as string;
    const appended = await client.append(viaApi, { events: resolved }).expect(200);
    expect(appended.body).toMatchObject({ accepted: lines.length, rejected: [] });

    const view = (e: Record<string, unknown>) => ({
      seq: e.seq,
      sub_seq: e.sub_seq,
      type: e.type,
      idempotency_key: e.idempotency_key,
      origin: e.origin,
      timestamp: e.timestamp,
      payload: e.payload,
    });
    const uploaded = (await client.events(res.body.id, '?limit=1000').expect(200)).body.data as Record<
      string,
      unknown
    >[];
    const sent = (await client.events(viaApi, '?limit=1000').expect(200)).body.data as Record<string, unknown>[];
    expect(uploaded).toHaveLength(lines.length);
    expect(uploaded.map(view)).toEqual(sent.map(view));
    expect(uploaded.slice(0, 4).map((e) => [e.seq, e.idempotency_key])).toEqual([
      [1, 'line:1'],
      [2, 'line:2'],
      [3, 'line:3'],
      [10, 'run-1:llm-call-1'],
    ]);

    // The file itself is kept, byte for byte, under the session's storage prefix.
    const key = `workspaces/${tenant.workspace.id}/projects/${tenant.project.id}/sessions/${res.body.id}/input_events.jsonl`;
    const [row] = await t.dataSource.query('SELECT input_storage_path FROM sessions WHERE id = $1', [res.body.id]);
    expect(row.input_storage_path).toBe(key);
    const object = await t.app.get(ObjectStorage).get(key);
    const bytes: Buffer[] = [];
    for await (const chunk of object.stream) bytes.push(chunk as Buffer);
    expect(Buffer.concat(bytes).toString('utf8')).toBe(jsonl);
  });

  it('names every invalid line by number and keeps nothing: no session, no events, no stored file', async () => {
    const before = await state();
    const jsonl = [
      JSON.stringify({ type: 'step', payload: { name: 'fine' } }),
      '{"type": "step", "payload": ',
      JSON.stringify({ type: 'tool.call', payload: { call_id: 'c1', tool: 'search' } }),
      '',
      JSON.stringify({ type: 'nonsense', payload: {} }),
      JSON.stringify({ seq: 1, type: 'step', payload: { name: 'back in time' } }),
      '[1, 2]',
      JSON.stringify({ type: 'step', payload: { name: 'x' }, extra: true }),
      JSON.stringify({ type: 'step', timestamp: 'yesterday', payload: { name: 'x' } }),
      JSON.stringify({ type: 'step', payload: { name: 'nul \u0000 byte' } }),
      JSON.stringify({ type: 'step', payload: { name: 'fine again' } }),
    ].join('\n');
    const res = await upload(tenant.key, jsonl);
    expectProblem(res, 422);
    const errors = res.body.errors as { field: string; message: string }[];
    expect(errors.map((e) => e.field)).toEqual([2, 3, 5, 6, 7, 8, 9, 10].map((n) => `input_events:line ${n}`));
    expect(errors[0].message).toMatch(/not valid JSON/);
    expect(errors[1].message).toMatch(/arguments/);
    expect(errors[2].message).toMatch(/unknown event type "nonsense"/);
    expect(errors[3].message).toMatch(/seq 1 must be above/);
    expect(errors[4].message).toMatch(/JSON object/);
    expect(errors[5].message).toMatch(/extra/);
    expect(errors[6].message).toMatch(/timestamp/);
    expect(errors[7].message).toMatch(/NUL/);
    expect(await state()).toEqual(before);
  });

  it('lists at most 100 invalid lines', async () => {
    const before = await state();
    const jsonl = Array.from({ length: 150 }, (_, i) => JSON.stringify({ type: 'step', payload: { index: i } })).join(
      '\n',
    );
    const res = await upload(tenant.key, jsonl);
    expectProblem(res, 422);
    expect(res.body.errors).toHaveLength(100);
    expect(res.body.errors[99]).toMatchObject({
      field: 'input_events:line 100',
      message: expect.stringContaining('name'),
    });
    expect(await state()).toEqual(before);
  });

  it('answers 415 to a body that is not multipart, and 422 to a form without input_events or with bad fields', async () => {
    const before = await state();
    const json = await request(t.http).post('/v1/sessions').set('X-API-Key', tenant.key).send({ input_events: 'x' });
    expectProblem(json, 415);
    const text = await request(t.http)
      .post('/v1/sessions')
      .set('X-API-Key', tenant.key)
      .set('Content-Type', 'text/plain')
      .send('{}');
    expectProblem(text, 415);
    const empty = await request(t.http).post('/v1/sessions').set('X-API-Key', tenant.key);
    expectProblem(empty, 415);

    const noFile = await request(t.http)
      .post('/v1/sessions')
      .set('X-API-Key', tenant.key)
      .field('suite_id', randomUUID());
    expectProblem(noFile, 422);
    expect(noFile.body.errors).toEqual([{ field: 'input_events', message: expect.stringContaining('required') }]);
    const asText = await request(t.http).post('/v1/sessions').set('X-API-Key', tenant.key).field('input_events', '{}');
    expectProblem(asText, 422);
    expect(asText.body.errors[0].field).toBe('input_events');

    const good = toJsonl(variedRun().lines);
    const badSuite = await upload(tenant.key, good, [
      ['project_id', tenant.project.id],
      ['suite_id', 'not-a-uuid'],
    ]);
    expectProblem(badSuite, 422);
    expect(badSuite.body.errors).toEqual([{ field: 'suite_id', message: expect.stringContaining('UUID') }]);
    const unknownField = await upload(tenant.key, good, [
      ['project_id', tenant.project.id],
      ['colour', 'blue'],
    ]);
    expectProblem(unknownField, 422);
    // The pinned key's project names the storage path; a project_id arriving after the file cannot change it.
    const lateProject = await upload(pinned.key, good, [['project_id', randomUUID()]], true);
    expectProblem(lateProject, 422);
    expect(lateProject.body.errors).toEqual([
      { field: 'project_id', message: expect.stringContaining('before input_events') },
    ]);
    expectProblem(await upload(tenant.key, '\n\n'), 422);
    expect(await state()).toEqual(before);
  });

  it('answers 413 to a file over UPLOAD_MAX_BYTES and keeps nothing', async () => {
    const before = await state();
    const { boundary, body } = multipartStream([['project_id', tenant.project.id]], {
      field: 'input_events',
      filename: 'too-big.jsonl',
      contentType: 'application/x-ndjson',
      body: paddingJsonl(UPLOAD_MAX_BYTES + 2 ** 20),
    });
    const res = await postStream(
      t,
      '/v1/sessions',
      { 'X-API-Key': tenant.key, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body,
    );
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status: 413, type: expect.stringContaining('payload_too_large') });
    expect(await state()).toEqual(before);
  });

  it(`streams a large upload (${LARGE_LINES} lines) through both passes with bounded memory`, async () => {
    const { boundary, body } = multipartStream(
      [
        ['project_id', tenant.project.id],
        ['agent_name', 'bulk-agent'],
      ],
      {
        field: 'input_events',
        filename: 'large.jsonl',
        contentType: 'application/x-ndjson',
        body: generatedJsonl(LARGE_LINES),
      },
    );
    global.gc?.();
    const sampler = rssSampler();
    const started = Date.now();
    const res = await postStream(
      t,
      '/v1/sessions',
      { 'X-API-Key': tenant.key, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body,
    );
    const rss = sampler.stop();
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `session upload of ${LARGE_LINES} lines: ${seconds.toFixed(1)} s, RSS ${rss.startMb.toFixed(0)} MB -> peak ${rss.peakMb.toFixed(0)} MB ` +
        `(+${rss.deltaMb.toFixed(0)} MB)`,
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      event_count: LARGE_LINES,
      last_seq: LARGE_LINES,
      accepted: LARGE_LINES,
      rejected: 0,
      source: 'upload',
    });
    expect(rss.deltaMb).toBeLessThan(250);
  }, 300_000);

  it('hides an uploaded session from other workspaces (404) and keeps pinned keys to their project (403)', async () => {
    const jsonl = toJsonl(variedRun().lines);
    const created = await upload(tenant.key, jsonl).expect(201);
    const other = traceClient(t, (await createTenant(t.dataSource)).key);
    expectProblem(await other.get(`/v1/sessions/${created.body.id}`), 404);
    expectProblem(await other.events(created.body.id), 404);
    expect((await other.get('/v1/sessions?source=upload').expect(200)).body.data).toEqual([]);

    const elsewhere = await request(t.http)
      .post('/v1/projects')
      .set('X-API-Key', tenant.key)
      .send({ name: 'Elsewhere', slug: `up-${randomUUID().slice(0, 6)}` });
    const before = await state();
    expectProblem(await upload(pinned.key, jsonl, [['project_id', elsewhere.body.id]]), 403);
    expectProblem(await upload(pinned.key, jsonl, [['project_id', randomUUID()]]), 404);
    expect(await state()).toEqual(before);
    const own = await upload(pinned.key, jsonl, []).expect(201);
    expect(own.body.project_id).toBe(tenant.project.id);
  });
});
