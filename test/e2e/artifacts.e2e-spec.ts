import { createHash, randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { ObjectStorage } from 'src/storage/object-storage';
import { countRows, createTenant, expectProblem, joinTenant, Tenant } from 'test/fixtures/factories';
import { traceClient } from 'test/fixtures/traces';
import { storedKeys } from 'test/fixtures/uploads';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

const JWT_SECRET = 'artifacts-jwt-secret-artifacts-jwt-secret-0123';
const ARTIFACT_MAX_BYTES = 1024 * 1024;

useTestEnvironment({ ARTIFACT_MAX_BYTES: String(ARTIFACT_MAX_BYTES), JWT_SECRET, SIGNED_URL_TTL_SECONDS: '60' });

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** Follows a signed URL on the test app (path and query only: it does not listen), reading the raw bytes. */
const download = (t: TestApp, url: string) =>
  request(t.http)
    .get(pathOf(url))
    .buffer(true)
    .parse((res, callback) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => callback(null, Buffer.concat(chunks)));
    });
/** The path and query of a signed URL. */
const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

describe('artifacts: upload, registration and signed downloads', () => {
  let t: TestApp;
  let tenant: Tenant;
  let client: ReturnType<typeof traceClient>;
  let storage: ObjectStorage;
  let sessionId: string;
  beforeAll(async () => {
    t = await createTestApp();
    storage = t.app.get(ObjectStorage);
    tenant = await createTenant(t.dataSource);
    client = traceClient(t, tenant.key);
    sessionId = (await client.createTrace({ project_id: tenant.project.id }).expect(201)).body.id as string;
  }, 30_000);
  afterAll(() => t.close());

  const prefixOf = (session: string) =>
    `workspaces/${tenant.workspace.id}/projects/${tenant.project.id}/sessions/${session}`;
  const uploadFile = (
    session: string,
    bytes: Buffer,
    contentType: string,
    fields: Record<string, string> = {},
    key = tenant.key,
  ) => {
    const req = request(t.http).post(`/api/traces/${session}/artifacts`).set('Authorization', `Bearer ${key}`);
    for (const [name, value] of Object.entries(fields)) req.field(name, value);
    return req.attach('file', bytes, { filename: 'shot.png', contentType });
  };
  const register = (session: string, body: object, key = tenant.key) =>
    request(t.http).post(`/api/traces/${session}/artifacts`).set('Authorization', `Bearer ${key}`).send(body);
  const artifactEvents = async (session: string) =>
    (await client.events(session, '?type=artifact').expect(200)).body.data as {
      seq: number;
      sub_seq: number;
      origin: string;
      payload: Record<string, unknown>;
    }[];
  const state = async () => ({
    rows: await countRows(t.dataSource, ['artifacts', 'events']),
    keys: storedKeys(`workspaces/${tenant.workspace.id}`).sort(),
  });

  it('streams an upload into private storage, records its sha256 and logs an artifact event without any URL', async () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(64 * 1024)]);
    const res = await uploadFile(sessionId, png, 'image/png', { kind: 'screenshot', filename: 'checkout.png' }).expect(
      201,
    );
    expect(res.body).toEqual({
      id: expect.any(String),
      session_id: sessionId,
      kind: 'screenshot',
      content_type: 'image/png',
      size: png.length,
      sha256: sha256(png),
      filename: 'checkout.png',
      created_at: expect.any(String),
    });
    expect(res.text).not.toMatch(/https?:|storage|workspaces\//);

    const [row] = await t.dataSource.query('SELECT * FROM artifacts WHERE id = $1', [res.body.id]);
    expect(row).toMatchObject({
      workspace_id: tenant.workspace.id,
      project_id: tenant.project.id,
      session_id: sessionId,
      storage_path: `${prefixOf(sessionId)}/artifacts/${res.body.id}`,
      size: String(png.length),
      sha256: sha256(png),
      created_by_user_id: tenant.user.id,
    });
    const events = await artifactEvents(sessionId);
    expect(events).toEqual([
      expect.objectContaining({
        origin: 'system',
        payload: {
          artifact_id: res.body.id,
          storage_path: row.storage_path,
          kind: 'screenshot',
          content_type: 'image/png',
          size: png.length,
          sha256: sha256(png),
        },
      }),
    ]);
    expect(JSON.stringify(events)).not.toMatch(/https?:/);
  });

  it('picks the kind from the content type when the form does not name one', async () => {
    const webm = randomBytes(2048);
    const res = await uploadFile(sessionId, webm, 'video/webm').expect(201);
    expect(res.body).toMatchObject({ kind: 'replay', content_type: 'video/webm', filename: 'shot.png' });
  });

  it('redirects an authenticated download to a short-lived signed URL that serves the bytes', async () => {
    const bytes = Buffer.from('{"frames":[1,2,3]}');
    const created = await uploadFile(sessionId, bytes, 'application/json', {
      kind: 'replay',
      filename: 'replay.json',
    }).expect(201);

    const redirect = await request(t.http)
      .get(`/artifacts/${created.body.id}`)
      .set('Authorization', `Bearer ${tenant.key}`)
      .expect(302);
    expect(redirect.headers['cache-control']).toBe('no-store');
    const location = new URL(redirect.headers.location);
    expect(location.pathname).toBe(`/storage/local/${prefixOf(sessionId)}/artifacts/${created.body.id}`);
    const expires = Number(location.searchParams.get('expires'));
    expect(expires - Date.now() / 1000).toBeGreaterThan(50);
    expect(expires - Date.now() / 1000).toBeLessThanOrEqual(61);

    const file = await download(t, redirect.headers.location).expect(200);
    expect((file.body as Buffer).equals(bytes)).toBe(true);
    expect(file.headers['content-type']).toMatch(/^application\/json/);
    expect(file.headers['content-disposition']).toMatch(/attachment; filename="replay\.json"/);

    // The same redirect for an SSO (JWT) caller of the workspace.
    const token = jwt.sign(
      { sub: `sso|${tenant.user.id}`, email: tenant.user.email, flightdeck_workspace: tenant.workspace.id },
      JWT_SECRET,
      {
        algorithm: 'HS256',
        expiresIn: 300,
      },
    );
    const viaJwt = await request(t.http)
      .get(`/artifacts/${created.body.id}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(302);
    expect(new URL(viaJwt.headers.location).pathname).toBe(location.pathname);
    await request(t.http).get(`/artifacts/${created.body.id}`).expect(401);
  });

  it('refuses an altered or expired signature (403)', async () => {
    const created = await uploadFile(sessionId, Buffer.from('secret frames'), 'text/plain').expect(201);
    const redirect = await request(t.http)
      .get(`/artifacts/${created.body.id}`)
      .set('Authorization', `Bearer ${tenant.key}`)
      .expect(302);
    const url = new URL(redirect.headers.location);

    const altered = new URL(url);
    const signature = altered.searchParams.get('signature') ?? '';
    altered.searchParams.set('signature', `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`);
    expectProblem(await request(t.http).get(pathOf(altered.toString())), 403);
    const extended = new URL(url);
    extended.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    expectProblem(await request(t.http).get(pathOf(extended.toString())), 403);
    const otherObject = new URL(url);
    otherObject.pathname = otherObject.pathname.replace(created.body.id, randomUUID());
    expectProblem(await request(t.http).get(pathOf(otherObject.toString())), 403);

    const [row] = await t.dataSource.query('SELECT storage_path FROM artifacts WHERE id = $1', [created.body.id]);
    const shortLived = await storage.signedUrl(row.storage_path, { expiresInSeconds: 1 });
    await download(t, shortLived).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const expired = await request(t.http).get(pathOf(shortLived));
    expectProblem(expired, 403);
    expect(expired.body.type).toMatch(/signature_expired$/);
  });

  it('answers 415 to a content type that is not allowed and 413 over ARTIFACT_MAX_BYTES, keeping nothing', async () => {
    const before = await state();
    expectProblem(await uploadFile(sessionId, Buffer.from('<script>alert(1)</script>'), 'text/html'), 415);
    expectProblem(await uploadFile(sessionId, randomBytes(ARTIFACT_MAX_BYTES + 1), 'video/mp4'), 413);
    expectProblem(await uploadFile(sessionId, randomBytes(1024), 'image/png', { kind: 'hologram' }), 422);
    const noFile = await request(t.http)
      .post(`/api/traces/${sessionId}/artifacts`)
      .set('Authorization', `Bearer ${tenant.key}`)
      .field('kind', 'file');
    expectProblem(noFile, 422);
    expect(noFile.body.errors).toEqual([{ field: 'file', message: expect.stringContaining('required') }]);
    const wrongField = await request(t.http)
      .post(`/api/traces/${sessionId}/artifacts`)
      .set('Authorization', `Bearer ${tenant.key}`)
      .attach('upload', Buffer.from('x'), { filename: 'x.txt', contentType: 'text/plain' });
    expectProblem(wrongField, 422);
    const xml = await request(t.http)
      .post(`/api/traces/${sessionId}/artifacts`)
      .set('Authorization', `Bearer ${tenant.key}`)
      .set('Content-Type', 'application/xml')
      .send('<a/>');
    expectProblem(xml, 415);
    expect(await state()).toEqual(before);
  });

  describe('registration of an object a trusted server already stored', () => {
    const put = async (key: string, bytes: Buffer) => storage.put(key, bytes, { contentType: 'video/webm' });

    it('records it once, checking that it is under the session prefix, exists and matches size and sha256', async () => {
      const bytes = randomBytes(4096);
      const key = `${prefixOf(sessionId)}/artifacts/recorder-replay.webm`;
      await put(key, bytes);
      const body = {
        kind: 'replay',
        storage_path: key,
        content_type: 'video/webm',
        size: bytes.length,
        sha256: sha256(bytes),
        filename: 'replay.webm',
      };
      const first = await register(sessionId, body).expect(201);
      expect(first.body).toMatchObject({
        kind: 'replay',
        size: bytes.length,
        sha256: sha256(bytes),
        session_id: sessionId,
        filename: 'replay.webm',
      });
      expect(first.text).not.toMatch(/https?:|workspaces\//);
      const again = await register(sessionId, body).expect(200);
      expect(again.body.id).toBe(first.body.id);
      expect((await artifactEvents(sessionId)).filter((e) => e.payload.artifact_id === first.body.id)).toHaveLength(1);
      expectProblem(await register(sessionId, { ...body, kind: 'file' }), 409);

      const redirect = await request(t.http)
        .get(`/artifacts/${first.body.id}`)
        .set('Authorization', `Bearer ${tenant.key}`)
        .expect(302);
      const file = await download(t, redirect.headers.location).expect(200);
      expect(sha256(file.body as Buffer)).toBe(sha256(bytes));
    });

    it('refuses paths outside the session, missing objects and mismatched size or sha256 (422)', async () => {
      const bytes = randomBytes(1000);
      const otherSession = (await client.createTrace({ project_id: tenant.project.id }).expect(201)).body.id as string;
      const foreignKey = `${prefixOf(otherSession)}/artifacts/theirs.webm`;
      await put(foreignKey, bytes);
      const ownKey = `${prefixOf(sessionId)}/artifacts/mine.webm`;
      await put(ownKey, bytes);
      const body = { kind: 'replay', content_type: 'video/webm', size: bytes.length, sha256: sha256(bytes) };
      const before = await state();

      const fieldOf = async (res: request.Test) => {
        const answer = await res;
        expectProblem(answer, 422);
        return (answer.body.errors as { field: string }[]).map((e) => e.field);
      };
      expect(await fieldOf(register(sessionId, { ...body, storage_path: foreignKey }))).toEqual(['storage_path']);
      expect(
        await fieldOf(
          register(sessionId, {
            ...body,
            storage_path: `${prefixOf(sessionId)}/../${otherSession}/artifacts/theirs.webm`,
          }),
        ),
      ).toEqual(['storage_path']);
      expect(await fieldOf(register(sessionId, { ...body, storage_path: `${prefixOf(sessionId)}/` }))).toEqual([
        'storage_path',
      ]);
      expect(
        await fieldOf(register(sessionId, { ...body, storage_path: `${prefixOf(sessionId)}/artifacts/absent.webm` })),
      ).toEqual(['storage_path']);
      expect(await fieldOf(register(sessionId, { ...body, storage_path: ownKey, size: bytes.length + 1 }))).toEqual([
        'size',
      ]);
      expect(
        await fieldOf(register(sessionId, { ...body, storage_path: ownKey, sha256: sha256(Buffer.from('other')) })),
      ).toEqual(['sha256']);
      expect(
        await fieldOf(register(sessionId, { ...body, storage_path: ownKey, url: 'https://example.test/x' })),
      ).toEqual(['url']);
      expect(await fieldOf(register(sessionId, {}))).toEqual(
        expect.arrayContaining(['kind', 'storage_path', 'content_type', 'size', 'sha256']),
      );
      expectProblem(await register(sessionId, { ...body, storage_path: ownKey, content_type: 'text/html' }), 415);
      expectProblem(await register(sessionId, { ...body, storage_path: ownKey, size: ARTIFACT_MAX_BYTES + 1 }), 413);
      expect(await state()).toEqual(before);
    });
  });

  it("hides another workspace's artifacts and sessions (404) and keeps pinned keys to their project (403)", async () => {
    const created = await uploadFile(sessionId, randomBytes(100), 'image/webp').expect(201);
    const intruder = await createTenant(t.dataSource);
    expectProblem(
      await request(t.http).get(`/artifacts/${created.body.id}`).set('Authorization', `Bearer ${intruder.key}`),
      404,
    );
    expectProblem(await uploadFile(sessionId, randomBytes(100), 'image/png', {}, intruder.key), 404);
    const bytes = randomBytes(10);
    const key = `${prefixOf(sessionId)}/artifacts/intruder.webm`;
    await storage.put(key, bytes, { contentType: 'video/webm' });
    expectProblem(
      await register(
        sessionId,
        { kind: 'replay', storage_path: key, content_type: 'video/webm', size: 10, sha256: sha256(bytes) },
        intruder.key,
      ),
      404,
    );
    expectProblem(await request(t.http).get(`/artifacts/not-a-uuid`).set('Authorization', `Bearer ${tenant.key}`), 400);

    const elsewhere = await request(t.http)
      .post('/v1/projects')
      .set('X-API-Key', tenant.key)
      .send({ name: 'Elsewhere', slug: `art-${randomUUID().slice(0, 6)}` })
      .expect(201);
    const otherProjectSession = (await client.createTrace({ project_id: elsewhere.body.id }).expect(201)).body
      .id as string;
    const pinned = await joinTenant(t.dataSource, tenant, 'member', { pinned: true });
    const before = await state();
    expectProblem(await uploadFile(otherProjectSession, randomBytes(100), 'image/png', {}, pinned.key), 403);
    expect(await state()).toEqual(before);
    await uploadFile(sessionId, randomBytes(100), 'image/png', {}, pinned.key).expect(201);
    // Reads are not limited by the pin.
    await request(t.http).get(`/artifacts/${created.body.id}`).set('Authorization', `Bearer ${pinned.key}`).expect(302);
  });
});
