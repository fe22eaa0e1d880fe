import request from 'supertest';
import { ObjectDeletionSweeper } from 'src/storage/deletions/object-deletion.sweeper';
import { ObjectStorage } from 'src/storage/object-storage';
import { createProject, createTenant, Tenant } from 'test/fixtures/factories';
import { multipart, run, runParts } from 'test/fixtures/langsmith';
import { agentEvents } from 'test/fixtures/traces';
import { storedKeys, toJsonl } from 'test/fixtures/uploads';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

// Sweeps happen when this file says so, not on the timer.
useTestEnvironment({ STORAGE_SWEEP_INTERVAL_MS: '3600000' });

describe('stored objects of deleted projects and workspaces', () => {
  let t: TestApp;
  let sweeper: ObjectDeletionSweeper;
  beforeAll(async () => {
    t = await createTestApp();
    sweeper = t.app.get(ObjectDeletionSweeper);
    // Deletions queued by earlier test files are theirs: sweeps here take only this file's.
    await t.dataSource.query(`DELETE FROM object_deletions`);
  }, 30_000);
  afterAll(() => t.close());

  /** A whole session uploaded as JSONL: its raw file is stored under the project's prefix. */
  const uploadSession = async (tenant: Tenant, projectId: string) => {
    const res = await request(t.http)
      .post('/v1/sessions')
      .set('X-API-Key', tenant.key)
      .field('project_id', projectId)
      .attach('input_events', Buffer.from(toJsonl(agentEvents(3))), {
        filename: 'input_events.jsonl',
        contentType: 'application/x-ndjson',
      })
      .expect(201);
    return res.body.id as string;
  };
  /** A LangSmith run with an attachment, in the project its session name makes: where both are. */
  const postRunWithAttachment = async (tenant: Tenant, sessionName: string) => {
    const root = run({ session_name: sessionName });
    const { body, contentType } = multipart([
      ...runParts('post', root),
      { name: `attachment.${root.id}.screenshot`, body: Buffer.from('png bytes'), type: 'image/png' },
    ]);
    await request(t.http)
      .post('/api/v1/runs/multipart')
      .set('x-api-key', tenant.key)
      .set('Content-Type', contentType)
      .send(body)
      .expect(200);
    const stored = await request(t.http).get(`/api/v1/runs/${root.id}`).set('x-api-key', tenant.key).expect(200);
    return { prefix: `langsmith/${tenant.workspace.id}/${root.id}`, projectId: stored.body.session_id as string };
  };
  /** Stored objects under a prefix (the local driver's sidecar files left out). */
  const objects = (prefix: string) => storedKeys(prefix).filter((key) => !key.endsWith('~meta.json'));
  const queued = async (workspaceId: string): Promise<{ prefix: string; attempts: number; last_error: string }[]> =>
    t.dataSource.query(
      `SELECT prefix, attempts, last_error FROM object_deletions WHERE prefix LIKE $1 OR prefix LIKE $2 ORDER BY prefix`,
      [`workspaces/${workspaceId}%`, `langsmith/${workspaceId}%`],
    );

  it('queues a deleted project’s objects in its deleting transaction and sweeps only those', async () => {
    const tenant = await createTenant(t.dataSource);
    const doomed = await createProject(t.dataSource, tenant.workspace.id);
    await uploadSession(tenant, doomed.id);
    await uploadSession(tenant, tenant.project.id);
    const doomedPrefix = `workspaces/${tenant.workspace.id}/projects/${doomed.id}`;
    const keptPrefix = `workspaces/${tenant.workspace.id}/projects/${tenant.project.id}`;
    expect(objects(doomedPrefix)).toHaveLength(1);

    await request(t.http).delete(`/v1/projects/${doomed.id}`).set('X-API-Key', tenant.key).expect(204);
    // Queued by the deletion itself; the objects stay until a sweep.
    expect(await queued(tenant.workspace.id)).toEqual([{ prefix: doomedPrefix, attempts: 0, last_error: null }]);
    expect(objects(doomedPrefix)).toHaveLength(1);

    const swept = await sweeper.sweep();
    expect(swept.cleared).toContain(doomedPrefix);
    expect(objects(doomedPrefix)).toEqual([]);
    expect(objects(keptPrefix)).toHaveLength(1);
    expect(await queued(tenant.workspace.id)).toEqual([]);
  });

  it('removes a LangSmith run’s attachments with the project the run belongs to', async () => {
    const tenant = await createTenant(t.dataSource);
    const doomed = await postRunWithAttachment(tenant, 'Doomed LangSmith project');
    const kept = await postRunWithAttachment(tenant, 'Kept LangSmith project');
    expect(objects(doomed.prefix)).toHaveLength(1);

    await request(t.http).delete(`/v1/projects/${doomed.projectId}`).set('X-API-Key', tenant.key).expect(204);
    expect((await queued(tenant.workspace.id)).map((q) => q.prefix)).toEqual([
      doomed.prefix,
      `workspaces/${tenant.workspace.id}/projects/${doomed.projectId}`,
    ]);

    expect((await sweeper.sweep()).cleared).toContain(doomed.prefix);
    expect(objects(doomed.prefix)).toEqual([]);
    expect(objects(kept.prefix)).toHaveLength(1);
  });

  it('keeps the prefixes queued, with the error, when the storage fails, and clears them on a later sweep', async () => {
    const tenant = await createTenant(t.dataSource);
    await uploadSession(tenant, tenant.project.id);
    const attachment = await postRunWithAttachment(tenant, 'Runs of a doomed workspace');
    const ws = tenant.workspace.id;
    await request(t.http).delete(`/v1/workspaces/${ws}`).set('X-API-Key', tenant.key).expect(204);
    // The workspace's own prefixes, and those its cascade queued on the way (projects, runs).
    const prefixes = [
      `langsmith/${ws}`,
      attachment.prefix,
      `workspaces/${ws}`,
      ...[tenant.project.id, attachment.projectId].sort().map((p) => `workspaces/${ws}/projects/${p}`),
    ];
    expect((await queued(ws)).map((q) => q.prefix)).toEqual(prefixes);

    const storage = t.app.get(ObjectStorage);
    const failing = jest.spyOn(storage, 'deleteUnder').mockRejectedValue(new Error('storage is unreachable'));
    try {
      expect((await sweeper.sweep()).failed).toEqual(expect.arrayContaining(prefixes));
    } finally {
      failing.mockRestore();
    }
    expect(objects(`workspaces/${ws}`)).toHaveLength(1);
    expect(objects(attachment.prefix)).toHaveLength(1);
    expect(await queued(ws)).toEqual(
      prefixes.map((prefix) => ({ prefix, attempts: 1, last_error: 'storage is unreachable' })),
    );
    // Not due before its wait is over: a sweep now leaves them alone.
    expect((await sweeper.sweep()).cleared.filter((p) => prefixes.includes(p))).toEqual([]);

    await t.dataSource.query(`UPDATE object_deletions SET next_attempt_at = now()`);
    expect((await sweeper.sweep()).cleared).toEqual(expect.arrayContaining(prefixes));
    expect(objects(`workspaces/${ws}`)).toEqual([]);
    expect(objects(`langsmith/${ws}`)).toEqual([]);
    expect(await queued(ws)).toEqual([]);
  });
});
