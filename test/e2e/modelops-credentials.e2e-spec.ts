import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ConfigService } from '@nestjs/config';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from 'src/database/data-source-options';
import type { AllConfig } from 'src/config/configuration';
import { CredentialsService } from 'src/modules/modelops/credentials/credentials.service';
import { openSecret, sealSecret } from 'src/modules/modelops/credentials/envelope';
import { KekRing } from 'src/modules/modelops/credentials/key-ring';
import { createTenant, expectProblem, Tenant } from 'test/fixtures/factories';
import { captureStdout } from 'test/fixtures/capture-stdout';
import { as, createCloudModel, newKek, newSecret, OpenAiDouble, saveCredential } from 'test/fixtures/modelops';
import { runScript } from 'test/fixtures/run-script';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

const OLD_KEK = newKek('k2025');
useTestEnvironment({ OUTBOUND_ALLOW_PRIVATE: 'true', MODELOPS_KEK: OLD_KEK, LOG_LEVEL: 'info' });
jest.setTimeout(120_000);

interface CredentialRow {
  id: string;
  name: string;
  kek_version: string;
  secret_ciphertext: Buffer;
  wrapped_data_key: Buffer;
}

/** An empty database of its own, migrated, for a command that works on every row. */
async function scratchDatabase(): Promise<{ url: string; ds: DataSource; drop(): Promise<void> }> {
  const base = new URL(process.env.DATABASE_URL!);
  const name = `flightdeck_test_kek_${process.pid}`;
  const admin = async (sql: string) => {
    const url = new URL(base.toString());
    url.pathname = '/postgres';
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  const ds = await new DataSource(buildDataSourceOptions(url.toString(), 2)).initialize();
  await ds.runMigrations({ transaction: 'each' });
  return {
    url: url.toString(),
    ds,
    drop: async () => {
      await ds.destroy();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/** A key ring configured as a process with these variables would have it. */
function ringFor(current: string, previous: string[] = []): KekRing {
  const parse = (entry: string) => {
    const [version, key] = entry.split(':');
    return { version, key: Buffer.from(key, 'base64') };
  };
  const values: Record<string, unknown> = {
    modelops: { kek: parse(current), previousKeks: previous.map(parse) },
    app: { dataDir: join(process.env.DATA_DIR ?? '/nonexistent', 'isolated-ring') },
  };
  return new KekRing({ getOrThrow: (key: string) => values[key] } as unknown as ConfigService<AllConfig, true>);
}

describe('ModelOps credentials', () => {
  let t: TestApp;
  let admin: Tenant;
  let provider: OpenAiDouble;

  beforeAll(async () => {
    provider = await new OpenAiDouble(newSecret()).start();
    t = await createTestApp();
    admin = await createTenant(t.dataSource, { superadmin: true });
  });
  afterAll(async () => {
    await t.close();
    await provider.close();
  });

  const rows = (): Promise<CredentialRow[]> =>
    t.dataSource.query(
      `SELECT id, name, kek_version, secret_ciphertext, wrapped_data_key FROM modelops_credentials ORDER BY id`,
    );

  it('stores the secret encrypted and answers only its mask', async () => {
    const secret = newSecret();
    const created = await as(t, admin.key)
      .post('/v1/modelops/credentials')
      .send({ name: 'openai-prod', provider: 'openai', secret })
      .expect(201);
    expect(created.body).toMatchObject({
      name: 'openai-prod',
      secret_mask: `sk-...${secret.slice(-4)}`,
      kek_version: 'k2025',
      secret_ref: `modelops://credential/${created.body.id}`,
    });
    expect(JSON.stringify(created.body)).not.toContain(secret.slice(8, -4));
    const listed = await as(t, admin.key).get('/v1/modelops/credentials').expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(secret.slice(8, -4));

    const [row] = await t.dataSource.query(`SELECT * FROM modelops_credentials WHERE id = $1`, [created.body.id]);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(Buffer.from(row.secret_ciphertext).toString('latin1')).not.toContain(secret.slice(8));
    expect(await t.app.get(CredentialsService).resolveSecret(created.body.id)).toBe(secret);
    expect(await t.app.get(CredentialsService).resolveSecretRef(created.body.secret_ref)).toBe(secret);
  });

  it('keeps the stored secret when an update echoes the mask, and replaces it (staling validations) when it does not', async () => {
    const first = newSecret();
    const saved = await saveCredential(t, admin.key, { name: 'rotating', secret: first });
    const model = await createCloudModel(t, admin.key, { baseUrl: provider.baseUrl, credentialId: saved.id });
    await t.dataSource.query(
      `UPDATE modelops_models SET lifecycle_state = 'active', is_validation_current = true, last_validation_status = 'success' WHERE id = $1`,
      [model.id],
    );

    const echoed = await as(t, admin.key)
      .post('/v1/modelops/credentials')
      .send({ name: 'rotating', provider: 'openai', secret: saved.secret_mask, description: 'same key' })
      .expect(201);
    expect(echoed.body).toMatchObject({ id: saved.id, secret_mask: saved.secret_mask, description: 'same key' });
    expect(await t.app.get(CredentialsService).resolveSecret(saved.id)).toBe(first);
    let [m] = await t.dataSource.query(`SELECT is_validation_current FROM modelops_models WHERE id = $1`, [model.id]);
    expect(m.is_validation_current).toBe(true);

    const second = newSecret();
    const replaced = await as(t, admin.key)
      .post('/v1/modelops/credentials')
      .send({ name: 'rotating', provider: 'openai', secret: second })
      .expect(201);
    expect(replaced.body).toMatchObject({ id: saved.id, secret_mask: `sk-...${second.slice(-4)}` });
    expect(await t.app.get(CredentialsService).resolveSecret(saved.id)).toBe(second);
    [m] = await t.dataSource.query(`SELECT is_validation_current FROM modelops_models WHERE id = $1`, [model.id]);
    expect(m.is_validation_current).toBe(false);
  });

  it('sends the decrypted secret on the wire to the provider, and never into a response or a log line', async () => {
    const credential = await saveCredential(t, admin.key, { name: 'wire', secret: provider.apiKey });
    const model = await createCloudModel(t, admin.key, { baseUrl: provider.baseUrl, credentialId: credential.id });
    await as(t, admin.key).post(`/v1/modelops/models/${model.id}/register`).expect(200);

    const bodies: string[] = [];
    const before = provider.calls.length;
    const logs = await captureStdout(async () => {
      const validated = await as(t, admin.key).post(`/v1/modelops/models/${model.id}/validate`).expect(200);
      bodies.push(validated.text);
      expect(validated.body.validation).toMatchObject({ status: 'success', details: { model_found: true } });
      bodies.push((await as(t, admin.key).post(`/v1/modelops/models/${model.id}/test`).send({}).expect(201)).text);
      bodies.push((await as(t, admin.key).get(`/v1/modelops/models/${model.id}/validations`).expect(200)).text);
      bodies.push((await as(t, admin.key).get(`/v1/modelops/models/${model.id}/tests`).expect(200)).text);
      bodies.push((await as(t, admin.key).get('/v1/modelops/credentials').expect(200)).text);
      bodies.push((await as(t, admin.key).get(`/v1/modelops/models/${model.id}`).expect(200)).text);
      // The provider now wants another key: its refusal is recorded, our key still appears nowhere.
      const realKey = provider.apiKey;
      provider.apiKey = newSecret();
      bodies.push((await as(t, admin.key).post(`/v1/modelops/models/${model.id}/validate`).expect(200)).text);
      provider.apiKey = realKey;
    });
    const calls = provider.calls.slice(before);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /v1/models',
      'POST /v1/chat/completions',
      'GET /v1/models',
    ]);
    const secret = await t.app.get(CredentialsService).resolveSecret(credential.id);
    expect(calls.every((c) => c.authorization === `Bearer ${secret}`)).toBe(true);
    expect(logs).toContain('"statusCode":200');
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain(secret.slice(8, -4));
    for (const body of bodies) {
      expect(body).not.toContain(secret);
      expect(body).not.toContain(secret.slice(8, -4));
    }
    expect(bodies[6]).toContain('"unauthorized"');
  });

  it('refuses to delete a credential a model uses (409) and deletes an unused one', async () => {
    const used = await saveCredential(t, admin.key, { secret: newSecret() });
    const model = await createCloudModel(t, admin.key, { baseUrl: provider.baseUrl, credentialId: used.id });
    const refused = await as(t, admin.key).delete(`/v1/modelops/credentials/${used.id}`);
    expectProblem(refused, 409);
    expect(refused.body.references).toEqual([expect.stringContaining(model.id)]);
    const unused = await saveCredential(t, admin.key, { secret: newSecret() });
    await as(t, admin.key).delete(`/v1/modelops/credentials/${unused.id}`).expect(204);
    expectProblem(await as(t, admin.key).delete(`/v1/modelops/credentials/${unused.id}`), 404);
  });

  it('cannot decrypt a ciphertext copied onto another credential: the id is its associated data', async () => {
    const a = await saveCredential(t, admin.key, { secret: newSecret() });
    const b = await saveCredential(t, admin.key, { secret: newSecret() });
    await t.dataSource.query(
      `UPDATE modelops_credentials AS b SET secret_ciphertext = a.secret_ciphertext
         FROM modelops_credentials AS a WHERE a.id = $1 AND b.id = $2`,
      [a.id, b.id],
    );
    await expect(t.app.get(CredentialsService).resolveSecret(b.id)).rejects.toMatchObject({
      code: 'credential_undecryptable',
    });
    // Moving the wrapped data key along with it does not help either.
    await t.dataSource.query(
      `UPDATE modelops_credentials AS b SET secret_ciphertext = a.secret_ciphertext, wrapped_data_key = a.wrapped_data_key
         FROM modelops_credentials AS a WHERE a.id = $1 AND b.id = $2`,
      [a.id, b.id],
    );
    await expect(t.app.get(CredentialsService).resolveSecret(b.id)).rejects.toMatchObject({
      code: 'credential_undecryptable',
    });
    // A model using it records a failed validation instead of calling out with a wrong key.
    const model = await createCloudModel(t, admin.key, { baseUrl: provider.baseUrl, credentialId: b.id });
    await as(t, admin.key).post(`/v1/modelops/models/${model.id}/register`).expect(200);
    const res = await as(t, admin.key).post(`/v1/modelops/models/${model.id}/validate`).expect(200);
    expect(res.body.validation).toMatchObject({ status: 'failure', error: { code: 'credential_unavailable' } });
    // The original is untouched.
    expect(await t.app.get(CredentialsService).resolveSecret(a.id)).toEqual(expect.stringMatching(/^sk-test-/));
    await t.dataSource.query(`DELETE FROM modelops_models WHERE id = $1`, [model.id]);
    await t.dataSource.query(`DELETE FROM modelops_credentials WHERE id = $1`, [b.id]);
  });

  it('rotate-kek rewraps every data key under the new key; secrets and their ciphertexts are unchanged', async () => {
    // This file's credentials, copied as stored into a database of their own: rows that other
    // test files wrapped under their own keys stay out of the rotation.
    const scratch = await scratchDatabase();
    try {
      const service = t.app.get(CredentialsService);
      const mine = (await rows()).filter((r) => r.kek_version === 'k2025');
      expect(mine.length).toBeGreaterThanOrEqual(4);
      const expected = new Map<string, string>();
      for (const row of mine) expected.set(row.id, await service.resolveSecret(row.id));
      await copyCredentials(
        scratch.ds,
        mine.map((r) => r.id),
      );

      const webhook = await sealedWebhook(scratch.ds);
      const NEW_KEK = newKek('k2026');
      const env = {
        NODE_ENV: 'test',
        DATABASE_URL: scratch.url,
        DATA_DIR: process.env.DATA_DIR!,
        MODELOPS_KEK: NEW_KEK,
        MODELOPS_KEK_PREVIOUS: `${newKek('unused')},${OLD_KEK}`,
      };
      const run = await runScript('src/cli.ts', ['rotate-kek'], env, { timeoutMs: 90_000 });
      expect(run.output).toContain(
        `Key-encryption key k2026: ${expected.size + 1} data key(s) rewrapped, 0 already current ` +
          `(credential: ${expected.size} rewrapped, 0 current, 0 failed; webhook: 1 rewrapped, 0 current, 0 failed)`,
      );
      expect(run.code).toBe(0);
      for (const secret of [...expected.values(), webhook.secret]) expect(run.output).not.toContain(secret);

      // The webhook's signing secret opens with the new key alone, bound to the webhook as before.
      const [hook] = await scratch.ds.query(
        `SELECT kek_version, secret_ciphertext, wrapped_data_key FROM webhooks WHERE id = $1`,
        [webhook.id],
      );
      expect(hook.kek_version).toBe('k2026');
      expect(Buffer.compare(hook.secret_ciphertext, webhook.sealed.secretCiphertext)).toBe(0);
      const rewrapped = {
        secretCiphertext: hook.secret_ciphertext,
        wrappedDataKey: hook.wrapped_data_key,
        kekVersion: 'k2026',
      };
      expect(openSecret(rewrapped, `webhook:${webhook.id}`, await ringFor(NEW_KEK).candidates('k2026'))).toBe(
        webhook.secret,
      );
      expect(() =>
        openSecret(rewrapped, webhook.id, [{ version: 'k2026', key: Buffer.from(NEW_KEK.split(':')[1], 'base64') }]),
      ).toThrow();

      const after: CredentialRow[] = await scratch.ds.query(
        `SELECT id, name, kek_version, secret_ciphertext, wrapped_data_key FROM modelops_credentials ORDER BY id`,
      );
      const before = new Map(mine.map((r) => [r.id, r]));
      const onlyNew = ringFor(NEW_KEK);
      expect(after.map((r) => r.id)).toEqual([...before.keys()].sort());
      for (const row of after) {
        expect(row.kek_version).toBe('k2026');
        expect(Buffer.compare(row.secret_ciphertext, before.get(row.id)!.secret_ciphertext)).toBe(0);
        expect(Buffer.compare(row.wrapped_data_key, before.get(row.id)!.wrapped_data_key)).not.toBe(0);
        const sealed = {
          secretCiphertext: row.secret_ciphertext,
          wrappedDataKey: row.wrapped_data_key,
          kekVersion: row.kek_version,
        };
        // Every credential decrypts with the new key alone, and no longer with the old one.
        expect(openSecret(sealed, row.id, await onlyNew.candidates(row.kek_version))).toBe(expected.get(row.id));
        expect(() =>
          openSecret(sealed, row.id, [{ version: 'k2026', key: Buffer.from(OLD_KEK.split(':')[1], 'base64') }]),
        ).toThrow();
      }

      const again = await runScript('src/cli.ts', ['rotate-kek'], env, { timeoutMs: 90_000 });
      expect(again.output).toContain(`0 data key(s) rewrapped, ${expected.size + 1} already current`);
      expect(again.code).toBe(0);

      // A row still wrapped by the old key, without that key among MODELOPS_KEK_PREVIOUS: exit 1, the row named and left as it was.
      const late = await saveCredential(t, admin.key, { secret: newSecret() });
      await copyCredentials(scratch.ds, [late.id]);
      const { MODELOPS_KEK_PREVIOUS: _previous, ...withoutPrevious } = env;
      const stuck = await runScript('src/cli.ts', ['rotate-kek'], withoutPrevious, { timeoutMs: 90_000 });
      expect(stuck.code).toBe(1);
      expect(stuck.output).toContain(late.id);
      const [kept] = await scratch.ds.query(`SELECT kek_version FROM modelops_credentials WHERE id = $1`, [late.id]);
      expect(kept.kek_version).toBe('k2025');
    } finally {
      await scratch.drop();
    }
  });

  /** A webhook (and its workspace) in `target`, its signing secret sealed under OLD_KEK as the app does. */
  async function sealedWebhook(target: DataSource) {
    const [workspace] = await target.query(
      `INSERT INTO workspaces (name, slug) VALUES ('Rotation', 'rotation-' || gen_random_uuid()) RETURNING id`,
    );
    const id = randomUUID();
    const secret = `whsec_${newSecret()}`;
    const sealed = sealSecret(secret, `webhook:${id}`, await ringFor(OLD_KEK).current());
    await target.query(
      `INSERT INTO webhooks (id, workspace_id, url, events, secret_hint, secret_ciphertext, wrapped_data_key,
                             kek_version, secret_rotated_at)
       VALUES ($1, $2, 'https://hooks.example.com/in', '{incident.opened}', 'whsec_...', $3, $4, $5, now())`,
      [id, workspace.id, sealed.secretCiphertext, sealed.wrappedDataKey, sealed.kekVersion],
    );
    return { id, secret, sealed };
  }

  /** Copies credential rows, as stored, from the suite's database into `target`. */
  async function copyCredentials(target: DataSource, ids: string[]): Promise<void> {
    const source: Record<string, unknown>[] = await t.dataSource.query(
      `SELECT id, name, provider, description, secret_mask, secret_ciphertext, wrapped_data_key, kek_version,
              created_at, updated_at, secret_updated_at
         FROM modelops_credentials WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    for (const r of source) {
      await target.query(
        `INSERT INTO modelops_credentials (id, name, provider, description, secret_mask, secret_ciphertext, wrapped_data_key,
                                           kek_version, created_at, updated_at, secret_updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          r.id,
          r.name,
          r.provider,
          r.description,
          r.secret_mask,
          r.secret_ciphertext,
          r.wrapped_data_key,
          r.kek_version,
          r.created_at,
          r.updated_at,
          r.secret_updated_at,
        ],
      );
    }
  }

  it('answers 403 to non-superadmins on every credential route', async () => {
    const owner = await createTenant(t.dataSource, { role: 'owner' });
    expectProblem(await as(t, owner.key).get('/v1/modelops/credentials'), 403);
    expectProblem(
      await as(t, owner.key).post('/v1/modelops/credentials').send({ name: 'x', provider: 'p', secret: 's' }),
      403,
    );
  });
});
