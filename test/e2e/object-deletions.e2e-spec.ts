import request from 'supertest';
import { ObjectDeletionSweeper } from 'src/storage/deletions/object-deletion.sweeper';
import { ObjectStorage } from 'src/storage/object-storage';
import { createProject, createTenant, Tenant } from 'test/fixtures/factories';
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
  /** Stored objects under a prefix (the local driver's sidecar files left out). */
  const objects = (prefix: string) => storedKeys(prefix).filter((key) => !key.endsWith('~meta.json'));
  const queued = async (workspaceId: string): Promise<{ prefix: string; attempts: number; last_error: string }[]> =>
    t.dataSource.query(
      `SELECT prefix, attempts, last_error FROM object_deletions WHERE prefix LIKE $1 ORDER BY prefix`,
      [`workspaces/${workspaceId}%`],
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

  it('keeps the prefix queued, with the error, when the storage fails, and clears it on a later sweep', async () => {
    const tenant = await createTenant(t.dataSource);
    await uploadSession(tenant, tenant.project.id);
    const prefix = `workspaces/${tenant.workspace.id}`;
    await request(t.http).delete(`/v1/workspaces/${tenant.workspace.id}`).set('X-API-Key', tenant.key).expect(204);
    const projectPrefix = `${prefix}/projects/${tenant.project.id}`;
    expect((await queued(tenant.workspace.id)).map((q) => q.prefix)).toEqual([prefix, projectPrefix]);

    const storage = t.app.get(ObjectStorage);
    const failing = jest.spyOn(storage, 'deleteUnder').mockRejectedValue(new Error('storage is unreachable'));
    try {
      const swept = await sweeper.sweep();
      expect(swept.failed).toEqual(expect.arrayContaining([prefix, projectPrefix]));
    } finally {
      failing.mockRestore();
    }
    expect(objects(prefix)).toHaveLength(1);
    expect(await queued(tenant.workspace.id)).toEqual([
      { prefix, attempts: 1, last_error: 'storage is unreachable' },
      { prefix: projectPrefix, attempts: 1, last_error: 'storage is unreachable' },
    ]);
    // Not due before its wait is over: a sweep now leaves it alone.
    expect((await sweeper.sweep()).cleared).not.toContain(prefix);

    await t.dataSource.query(`UPDATE object_deletions SET next_attempt_at = now() WHERE prefix LIKE $1`, [
      `${prefix}%`,
    ]);
    const retried = await sweeper.sweep();
    expect(retried.cleared).toEqual(expect.arrayContaining([prefix, projectPrefix]));
    expect(objects(prefix)).toEqual([]);
    expect(await queued(tenant.workspace.id)).toEqual([]);
  });
});
