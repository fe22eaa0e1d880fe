import type { Tenant } from 'test/fixtures/factories';
import { agentEvents, type TraceClient, withTraceTenant } from 'test/fixtures/traces';
import { type TestApp, useTestEnvironment } from 'test/setup/test-app';

// The ingest insert as a plain query, as behind a transaction-pooling PgBouncer: same decisions.
useTestEnvironment({ DATABASE_PREPARED_STATEMENTS: 'false' });

describe('ingest with DATABASE_PREPARED_STATEMENTS=false', () => {
  let t: TestApp;
  let tenant: Tenant;
  let client: TraceClient;
  withTraceTenant((made) => ({ t, tenant, client } = made));

  const stored = async (sessionId: string) =>
    (
      await t.dataSource.query('SELECT seq, idempotency_key FROM events WHERE session_id = $1 ORDER BY seq', [
        sessionId,
      ])
    ).map((r: { seq: string; idempotency_key: string }) => `${r.seq}:${r.idempotency_key}`);

  it('stores each event once, settles a renumbered retry and refuses a taken seq', async () => {
    const id = (await client.createTrace({ project_id: tenant.project.id }).expect(201)).body.id as string;
    const first = { seq: 1, idempotency_key: 'one', type: 'step', payload: { name: 'one' } };
    await client.append(id, first).expect(200);
    const batches = await Promise.all(
      Array.from({ length: 10 }, () => client.append(id, { events: agentEvents(5, 2, 'same') }).expect(200)),
    );
    expect(batches.map((b) => b.body.accepted)).toEqual(Array(10).fill(5));
    const mixed = await client
      .append(id, {
        events: [
          { ...first, seq: 9 },
          { seq: 1, idempotency_key: 'late', type: 'step', payload: { name: 'late' } },
          { seq: 7, idempotency_key: 'seven', type: 'step', payload: { name: 'seven' } },
        ],
      })
      .expect(200);
    expect(mixed.body).toMatchObject({
      accepted: 2,
      duplicates: 1,
      rejected: [{ index: 1, reason: 'seq 1 is already taken by another event' }],
    });
    expect(await stored(id)).toEqual(['1:one', '2:same:2', '3:same:3', '4:same:4', '5:same:5', '6:same:6', '7:seven']);
  });
});
