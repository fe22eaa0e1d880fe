import { randomBytes } from 'node:crypto';
import { ConflictAppException } from 'src/common/errors/app.exception';
import { overrideEnvironment } from 'src/config/configuration';
import { modelFileKey } from 'src/modules/modelops/downloads/object-keys';
import { EgressGate } from 'src/modules/modelops/egress/egress-gate';
import { ModelRuntimeRegistry } from 'src/modules/modelops/runtimes/model-runtime.registry';
import { ObjectStorage } from 'src/storage/object-storage';
import { createTenant, expectProblem, Tenant } from 'test/fixtures/factories';
import { HubDouble, sha256 } from 'test/fixtures/hub-double';
import { as, eventually, newKek, OpenAiDouble } from 'test/fixtures/modelops';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment({ OUTBOUND_ALLOW_PRIVATE: 'true', MODELOPS_KEK: newKek('v1') });
jest.setTimeout(120_000);

interface DownloadBody {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  commit: string;
  attempts: number;
  progress: { bytes_done: number; bytes_total: number; percent: number };
  files: { path: string; size: number; sha256: string | null; status: string; bytes_done: number }[];
  error: { code: string; message: string } | null;
}

const MiB = 1024 * 1024;

/** A small model repository: weights in LFS, config and tokenizer in git. */
function modelFiles(weightsBytes: number) {
  return [
    {
      path: 'config.json',
      content: Buffer.from(JSON.stringify({ model_type: 'llama', architectures: ['LlamaForCausalLM'] })),
    },
    { path: 'model.safetensors', content: randomBytes(weightsBytes), lfs: true },
    { path: 'tokenizer.json', content: Buffer.from(JSON.stringify({ version: '1.0', vocab: { a: 1, b: 2 } })) },
  ];
}

describe('ModelOps discovery and downloads', () => {
  let t: TestApp;
  let admin: Tenant;
  let hub: HubDouble;

  beforeAll(async () => {
    hub = await new HubDouble().start();
    overrideEnvironment({ MODEL_HUB_URL: hub.url }, { force: true });
    t = await createTestApp();
    admin = await createTenant(t.dataSource, { superadmin: true });
  });
  afterAll(async () => {
    await t.close();
    await hub.close();
  });
  afterEach(() => t.app.get(EgressGate).setPolicy(() => undefined));

  const api = () => as(t, admin.key);
  const download = async (id: string) =>
    (await api().get(`/v1/modelops/downloads/${id}`).expect(200)).body as DownloadBody;
  const settled = (id: string) =>
    eventually(async () => {
      const d = await download(id);
      return d.status === 'completed' || d.status === 'failed' ? d : undefined;
    }, 60_000);

  it('searches the hub and shows a repository at the commit its revision points at, with sizes and sha256', async () => {
    const files = modelFiles(4096);
    const commit = hub.publish({ id: 'acme/tiny-llama', pipeline_tag: 'text-generation' }, files);
    hub.publish({ id: 'acme/tiny-embedder', pipeline_tag: 'feature-extraction' }, modelFiles(1024));

    const found = (await api().get('/v1/modelops/discovery/huggingface?query=acme&task=llm').expect(200)).body;
    expect(found.data).toEqual([
      expect.objectContaining({ source_id: 'acme/tiny-llama', pipeline_tag: 'text-generation' }),
    ]);
    expect(hub.requests.some((r) => r.path.startsWith('/api/models?') && r.path.includes('search=acme'))).toBe(true);

    const details = (
      await api()
        .get(`/v1/modelops/discovery/huggingface/${encodeURIComponent('acme/tiny-llama')}`)
        .expect(200)
    ).body;
    expect(details).toMatchObject({
      source_id: 'acme/tiny-llama',
      commit,
      total_size: files.reduce((n, f) => n + f.content.length, 0),
    });
    // The tree listing is paged (two entries a page here): every file is there, once.
    expect(details.files).toEqual([
      { path: 'config.json', size: files[0].content.length, sha256: null, lfs: false },
      { path: 'model.safetensors', size: 4096, sha256: sha256(files[1].content), lfs: true },
      { path: 'tokenizer.json', size: files[2].content.length, sha256: null, lfs: false },
    ]);
    expectProblem(await api().get('/v1/modelops/discovery/huggingface/acme%2Fmissing'), 404);
  });

  it('downloads a repository with progress, pinned to the commit, and checks every file', async () => {
    hub.sliceBytes = 32 * 1024;
    hub.sliceDelayMs = 20;
    const files = modelFiles(Math.floor(1.5 * MiB));
    const commit = hub.publish({ id: 'acme/progress' }, files);
    const started = await api().post('/v1/modelops/downloads').send({ source_id: 'acme/progress' }).expect(202);
    expect(started.body).toMatchObject({ commit, revision: 'main' });
    // The branch moves on: the download stays on the commit it was pinned to.
    hub.publish({ id: 'acme/progress' }, modelFiles(2048));

    const seen: number[] = [];
    const done = await eventually(
      async () => {
        const d = await download(started.body.id);
        seen.push(d.progress.percent);
        return d.status === 'completed' || d.status === 'failed' ? d : undefined;
      },
      60_000,
      40,
    );
    hub.sliceDelayMs = 5;

    expect(done).toMatchObject({ status: 'completed', commit, error: null, attempts: 1 });
    expect(done.progress).toEqual({
      bytes_done: done.progress.bytes_total,
      bytes_total: files.reduce((n, f) => n + f.content.length, 0),
      percent: 100,
    });
    expect(seen.some((p) => p > 0 && p < 100)).toBe(true);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(done.files.every((f) => f.status === 'completed')).toBe(true);

    const transfers = hub.transfers().filter((r) => r.path.includes('progress'));
    expect(
      transfers.filter((r) => r.path.includes('/resolve/')).every((r) => r.path.includes(`/resolve/${commit}/`)),
    ).toBe(true);

    const storage = t.app.get(ObjectStorage);
    for (const file of files) {
      const object = await storage.get(modelFileKey(started.body.id, file.path));
      const chunks: Buffer[] = [];
      for await (const chunk of object.stream) chunks.push(chunk as Buffer);
      expect(sha256(Buffer.concat(chunks))).toBe(sha256(file.content));
    }

    // The same files at the same commit: the same download.
    const again = await api()
      .post('/v1/modelops/downloads')
      .send({ source_id: 'acme/progress', revision: commit })
      .expect(202);
    expect(again.body.id).toBe(started.body.id);
  });

  it('resumes from the bytes already stored after the connection drops', async () => {
    const files = modelFiles(MiB);
    const commit = hub.publish({ id: 'acme/flaky' }, files);
    hub.dropOnce(commit, 'model.safetensors', 300 * 1024);
    const started = await api().post('/v1/modelops/downloads').send({ source_id: 'acme/flaky' }).expect(202);
    const done = await settled(started.body.id);
    expect(done).toMatchObject({ status: 'completed', attempts: 2 });

    const transfers = hub
      .transfers()
      .filter((r) => r.path.startsWith('/cdn/') && r.path.includes('model.safetensors') && r.path.includes(commit));
    expect(transfers).toHaveLength(2);
    expect(transfers[0].range).toBeUndefined();
    const resumedFrom = Number(/^bytes=(\d+)-$/.exec(transfers[1].range ?? '')?.[1]);
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeLessThanOrEqual(300 * 1024);

    const object = await t.app.get(ObjectStorage).get(modelFileKey(started.body.id, 'model.safetensors'));
    const chunks: Buffer[] = [];
    for await (const chunk of object.stream) chunks.push(chunk as Buffer);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(files[1].content));

    // The downloaded model is a local model that validates on its files.
    const model = await api()
      .post('/v1/modelops/models')
      .send({ name: 'flaky-local', hosting: 'local', task: 'llm', download_id: started.body.id })
      .expect(201);
    expect(model.body).toMatchObject({ source_id: 'acme/flaky', source_commit: commit, lifecycle_state: 'created' });
    await api().post(`/v1/modelops/models/${model.body.id}/register`).expect(200);
    const validated = (await api().post(`/v1/modelops/models/${model.body.id}/validate`).expect(200)).body;
    expect(validated.validation).toMatchObject({
      status: 'success',
      details: { check: 'local_files', files: 3, weights: ['model.safetensors'], config: { model_type: 'llama' } },
    });
    expect(validated.model.lifecycle_state).toBe('validated');

    // A local test runs only on a runtime that serves the model (platform-control reports runtimes).
    const runtime = await new OpenAiDouble('runtime-token').start();
    try {
      let serving = false;
      t.app.get(ModelRuntimeRegistry).register((m) =>
        Promise.resolve(
          m.id !== model.body.id
            ? []
            : [
                {
                  id: 'vllm-1',
                  provider: 'vllm_local',
                  display_name: 'vLLM (GPU 1)',
                  base_url: runtime.baseUrl,
                  slot_state: serving ? 'loaded' : 'empty',
                  loaded_model_id: serving ? m.id : null,
                  runtime_model_id: serving ? 'gpt-test-mini' : null,
                  advertised: serving ? [{ id: 'gpt-test-mini', owned_by: 'vllm' }] : [],
                  serving,
                  api_key: 'runtime-token',
                },
              ],
        ),
      );
      const notServing = await api().post(`/v1/modelops/models/${model.body.id}/test`).send({});
      expectProblem(notServing, 409);
      // Other runtimes (providers that other test files configured) may be listed beside this one.
      expect(notServing.body.code).toBe('runtime_not_serving');
      expect(notServing.body.runtimes).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: 'vllm-1', serving: false })]),
      );
      serving = true;
      const runtimes = await api().get(`/v1/modelops/models/${model.body.id}/test-runtimes`).expect(200);
      expect(runtimes.body.runtimes.filter((r: { id: string }) => r.id === 'vllm-1')).toEqual([
        expect.objectContaining({
          id: 'vllm-1',
          kind: 'local',
          slot_state: 'loaded',
          runtime_model_id: 'gpt-test-mini',
          serving: true,
        }),
      ]);
      expect(runtimes.text).not.toContain('runtime-token');
      const tested = await api()
        .post(`/v1/modelops/models/${model.body.id}/test`)
        .send({ runtime_id: 'vllm-1' })
        .expect(201);
      expect(tested.body).toMatchObject({ status: 'success', runtime_id: 'vllm-1', output: { text: 'ok' } });
      expect(runtime.calls.map((c) => `${c.path} ${c.authorization}`)).toEqual([
        '/v1/chat/completions Bearer runtime-token',
      ]);
    } finally {
      await runtime.close();
    }
  });

  it('rejects bytes whose sha256 differs from what the hub reports, keeping nothing', async () => {
    const files = modelFiles(256 * 1024);
    const commit = hub.publish({ id: 'acme/tampered' }, files);
    hub.corrupt(commit, 'model.safetensors');
    const started = await api()
      .post('/v1/modelops/downloads')
      .send({ source_id: 'acme/tampered', include: ['*.safetensors'] })
      .expect(202);
    expect(started.body.files.map((f: { path: string }) => f.path)).toEqual(['model.safetensors']);
    const done = await settled(started.body.id);
    expect(done).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'checksum_mismatch' } });
    expect(done.error!.message).toContain(sha256(files[1].content));
    expect(await t.app.get(ObjectStorage).exists(modelFileKey(started.body.id, 'model.safetensors'))).toBe(false);
    const [file] = await t.dataSource.query(
      `SELECT parts, status FROM modelops_download_files WHERE download_id = $1`,
      [started.body.id],
    );
    expect(file).toEqual({ parts: [], status: 'pending' });

    // A local model cannot be made from it.
    const refused = await api()
      .post('/v1/modelops/models')
      .send({ name: 'tampered-local', hosting: 'local', task: 'llm', download_id: started.body.id });
    expectProblem(refused, 422);
  });

  it('refuses discovery and downloads when the egress policy says offline, without calling the hub', async () => {
    hub.publish({ id: 'acme/offline' }, modelFiles(1024));
    t.app.get(EgressGate).setPolicy((kind) => {
      throw new ConflictAppException(`Offline: ${kind} calls are blocked`, 'offline_provider_blocked');
    });
    const before = hub.requests.length;
    const refused = await api().post('/v1/modelops/downloads').send({ source_id: 'acme/offline' });
    expectProblem(refused, 409);
    expect(refused.body.code).toBe('offline_provider_blocked');
    expectProblem(await api().get('/v1/modelops/discovery/huggingface?query=acme'), 409);
    expect(hub.requests.length).toBe(before);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM modelops_downloads WHERE source_id = 'acme/offline'`,
    );
    expect(n).toBe(0);
  });

  it('answers 403 to non-superadmins on discovery and downloads', async () => {
    const owner = await createTenant(t.dataSource, { role: 'owner' });
    expectProblem(await as(t, owner.key).get('/v1/modelops/downloads'), 403);
    expectProblem(await as(t, owner.key).post('/v1/modelops/downloads').send({ source_id: 'acme/progress' }), 403);
    expectProblem(await as(t, owner.key).get('/v1/modelops/discovery/huggingface?query=a'), 403);
  });

  it('lists downloads newest first with cursor paging', async () => {
    const first = (await api().get('/v1/modelops/downloads?limit=1').expect(200)).body;
    expect(first.data).toHaveLength(1);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = (await api().get(`/v1/modelops/downloads?limit=1&cursor=${first.next_cursor}`).expect(200)).body;
    expect(second.data[0].id).not.toBe(first.data[0].id);
  });
});
