import { randomUUID } from 'node:crypto';
import { applyPatch } from 'diff';
import request from 'supertest';
import type { AgentSpec } from 'src/modules/catalog/registry/specs';
import { parseAgentDocument, renderAgentDocument } from 'src/modules/incidents/fix-agent/agent-document';
import { recordFailingSession } from 'test/fixtures/analysis';
import { captureStdout } from 'test/fixtures/capture-stdout';
import { superadminIn } from 'test/fixtures/catalog';
import { countRows, createTenant, expectProblem, joinTenant, type Tenant } from 'test/fixtures/factories';
import {
  activateDeployment,
  createDeployment,
  createManagedModel,
  createPlatformProvider,
} from 'test/fixtures/fix-agent';
import { type OpenAiDouble, startOpenAiDouble } from 'test/fixtures/openai-double';
import { createTestApp, type TestApp, useTestEnvironment } from 'test/setup/test-app';

// Logs on, so the test can show that no provider token reaches a log line.
useTestEnvironment({ OUTBOUND_ALLOW_PRIVATE: 'true', LOG_LEVEL: 'info' });
jest.setTimeout(60_000);

const CLOUD_SECRET = `sk-cloud-${randomUUID()}`;
const AGENT = `checkout-${randomUUID().slice(0, 6)}`;
const PROMPT = 'You take card payments for orders.\nConfirm the amount before charging.';

interface Proposal {
  id: string;
  agent_id: string;
  base_version: number;
  plan: { title: string; detail: string; target: string }[];
  diff: string;
  fallback: boolean;
  reason: string | null;
  reason_detail: string | null;
  model: string | null;
  status: string;
  applied_version: number | null;
}

/**
 * The fix agent against the real runtime path: an OpenAI-compatible double on loopback behind a
 * local deployment, a cloud double behind a cloud deployment, and the offline profile. Owns the
 * active deployment and the runtime profile while it runs (and leaves the profile online).
 */
describe('fix agent', () => {
  let t: TestApp;
  let owner: Tenant;
  let superadmin: { key: string };
  let admin: { key: string };
  let member: { key: string };
  let viewer: { key: string };
  let stranger: Tenant;
  let local: OpenAiDouble;
  let cloud: OpenAiDouble;
  let localDeployment: string;
  let cloudDeployment: string;
  let localModel: string;
  let agentId: string;
  let incidentId: string;
  let orphanIncidentId: string;
  const outbound: string[] = [];
  const realFetch = globalThis.fetch;

  const as = (key: string) => ({
    get: (path: string) => request(t.http).get(path).set('X-API-Key', key),
    post: (path: string, body: object = {}) => request(t.http).post(path).set('X-API-Key', key).send(body),
  });
  const fix = (key: string, body: object = {}) => as(key).post(`/api/incidents/${incidentId}/fix-agent`, body);
  const apply = (key: string, proposalId: string) =>
    as(key).post(`/api/incidents/${incidentId}/fix-agent/${proposalId}/apply`);

  /** The agent's current spec, read through the catalog (superadmin). */
  async function currentSpec(): Promise<{ version: number; spec: AgentSpec }> {
    const res = await as(superadmin.key).get(`/v1/catalog/agents/${agentId}`).expect(200);
    const body = res.body as AgentSpec & { version: number };
    return {
      version: body.version,
      spec: {
        display_name: body.display_name,
        description: body.description,
        status: body.status,
        system_prompt: body.system_prompt,
        model_selection: body.model_selection,
        tool_policy: body.tool_policy,
        workflow: body.workflow,
      },
    };
  }

  /** What the double answers: the strict JSON the fix agent asks for. */
  const modelAnswer = (systemPrompt: string, maxRetries: number) =>
    JSON.stringify({
      plan: [
        {
          title: 'Tell the user when the charge fails',
          detail: 'Add a sentence to the prompt',
          target: 'system_prompt',
        },
        { title: 'Retry the gateway', detail: 'max_retries up', target: 'workflow' },
      ],
      definition: {
        system_prompt: systemPrompt,
        tool_policy: { allowed_tools: ['tool.web_search'] },
        workflow: { max_retries: maxRetries },
      },
    });

  async function analyzedIncident(agent: string, count: number, tool = 'payments.charge'): Promise<string> {
    let incident = '';
    for (let i = 0; i < count; i++) {
      const id = await recordFailingSession(
        t,
        owner,
        {
          tool,
          error: `GatewayError: card ${i} declined`,
          agent: { name: agent, version: '1.0.0' },
        },
        i,
      );
      const analysis = await as(owner.key).post(`/api/traces/${id}/analyze`).expect(200);
      incident = (analysis.body.findings as { detector: string; incident_id: string }[]).find(
        (f) => f.detector === 'tool_error',
      )!.incident_id;
    }
    return incident;
  }

  beforeAll(async () => {
    local = await startOpenAiDouble({ models: ['org/fix-chat', 'org/fix-embed'], dimension: 8 });
    cloud = await startOpenAiDouble({ models: ['gpt-fix'], apiKey: CLOUD_SECRET });
    // Every outbound request of the app in this process goes through the global fetch.
    globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
      outbound.push(input instanceof Request ? input.url : String(input));
      return realFetch(input, init);
    };
    t = await createTestApp();
    owner = await createTenant(t.dataSource, { role: 'owner' });
    superadmin = await superadminIn(t.dataSource, owner);
    admin = await joinTenant(t.dataSource, owner, 'admin');
    member = await joinTenant(t.dataSource, owner, 'member');
    viewer = await joinTenant(t.dataSource, owner, 'viewer');
    stranger = await createTenant(t.dataSource, { role: 'owner' });

    const sa = superadmin.key;
    localModel = (await createManagedModel(t.dataSource, { hosting: 'local', task: 'llm', sourceId: 'org/fix-chat' }))
      .id;
    const embedModel = (
      await createManagedModel(t.dataSource, { hosting: 'local', task: 'embeddings', sourceId: 'org/fix-embed' })
    ).id;
    const cloudModel = (
      await createManagedModel(t.dataSource, { hosting: 'cloud', task: 'llm', providerModelId: 'gpt-fix' })
    ).id;
    const credential = await as(sa)
      .post('/v1/modelops/credentials', {
        name: `cloud-${randomUUID().slice(0, 8)}`,
        provider: 'openai',
        secret: CLOUD_SECRET,
      })
      .expect(201);
    const llm = await createPlatformProvider(t, sa, {
      family: 'vllm_local',
      capability: 'llm_inference',
      endpoint_url: local.url,
    });
    const embed = await createPlatformProvider(t, sa, {
      family: 'vllm_local',
      capability: 'embeddings',
      endpoint_url: local.url,
    });
    const vec = await createPlatformProvider(t, sa, { family: 'pgvector_local' });
    const cloudProvider = await createPlatformProvider(t, sa, {
      family: 'openai_compatible_cloud_llm',
      endpoint_url: cloud.url,
      secret_refs: { api_key: (credential.body as { secret_ref: string }).secret_ref },
    });
    const common = {
      embeddings: { providerId: embed, modelId: embedModel },
      vectorStore: { providerId: vec, index: 'kb_fix' },
    };
    localDeployment = await createDeployment(t, sa, { llm: { providerId: llm, modelId: localModel }, ...common });
    cloudDeployment = await createDeployment(t, sa, {
      llm: { providerId: cloudProvider, modelId: cloudModel },
      ...common,
    });
    await activateDeployment(t, sa, localDeployment);

    const agent = await as(sa)
      .post('/v1/catalog/agents', {
        key: `agent.${AGENT}`,
        display_name: 'Checkout',
        system_prompt: PROMPT,
        model_selection: { mode: 'deployment_default' },
        tool_policy: { allowed_tools: ['tool.web_search'] },
        workflow: { max_steps: 8, max_retries: 1 },
      })
      .expect(201);
    agentId = (agent.body as { id: string }).id;
    incidentId = await analyzedIncident(AGENT, 3);
    orphanIncidentId = await analyzedIncident(`orphan-${randomUUID().slice(0, 6)}`, 1, 'crm.lookup');
  });

  afterAll(async () => {
    // Leave the shared database online for the other suites.
    await t.dataSource.query(`UPDATE platform_runtime_profile SET mode = 'online' WHERE id = 1`);
    globalThis.fetch = realFetch;
    await t.close();
    await Promise.all([local.close(), cloud.close()]);
  });

  it('answers with the model plan and a diff of the catalog definition that applies to the current version', async () => {
    local.reply = modelAnswer(`${PROMPT}\nIf payments.charge fails, tell the user the card was not charged.`, 3);
    const seen = local.requests.length;
    const res = await fix(member.key).expect(200);
    const proposal = res.body as Proposal;
    expect(proposal).toMatchObject({
      agent_id: agentId,
      base_version: 1,
      fallback: false,
      reason: null,
      model: localModel,
      status: 'proposed',
      plan: [
        { title: 'Tell the user when the charge fails', target: 'system_prompt' },
        { title: 'Retry the gateway', target: 'workflow' },
      ],
    });
    expect(proposal.diff).toContain(`--- a/agent.${AGENT}.json\tversion 1`);
    expect(proposal.diff).toContain('+    "If payments.charge fails, tell the user the card was not charged."');
    expect(proposal.diff).toContain('-    "max_retries": 1,');
    expect(proposal.diff).toContain('+    "max_retries": 3,');

    // The model was asked once, through the resolver, with the incident and its evidence.
    const calls = local.requests.slice(seen).filter((r) => r.path === '/v1/chat/completions');
    expect(calls).toHaveLength(1);
    const asked = JSON.stringify(calls[0].body);
    expect(calls[0].body).toMatchObject({ model: 'org/fix-chat', temperature: 0 });
    expect(asked).toContain('tool:payments.charge|error:GatewayError');
    expect(asked).toContain('declined');
    expect(asked).toContain('Confirm the amount before charging.');

    // The diff applies to the canonical rendering of the current version and gives the proposal.
    const { spec } = await currentSpec();
    const patched = applyPatch(renderAgentDocument(spec), proposal.diff);
    expect(patched).not.toBe(false);
    expect(parseAgentDocument(patched as string)).toEqual({
      ...spec,
      system_prompt: `${PROMPT}\nIf payments.charge fails, tell the user the card was not charged.`,
      workflow: { ...spec.workflow, max_retries: 3 },
    });

    const listed = await as(viewer.key).get(`/api/incidents/${incidentId}/fix-agent`).expect(200);
    expect((listed.body.data as Proposal[]).map((p) => p.id)).toContain(proposal.id);
    await as(viewer.key).get(`/api/incidents/${incidentId}/fix-agent/${proposal.id}`).expect(200);
  });

  it('applies a proposal as the next registry version (admin only, audit-logged, once)', async () => {
    local.reply = modelAnswer(`${PROMPT}\nNever retry a declined card.`, 2);
    const proposal = (await fix(member.key).expect(200)).body as Proposal;
    const before = await countRows(t.dataSource, ['registry_versions']);
    expectProblem(await apply(member.key, proposal.id), 403);
    expect(await countRows(t.dataSource, ['registry_versions'])).toEqual(before);

    const applied = await apply(admin.key, proposal.id).expect(200);
    expect(applied.body).toMatchObject({ id: proposal.id, status: 'applied', applied_version: 2 });
    const versions = await as(superadmin.key).get(`/v1/catalog/agents/${agentId}/versions`).expect(200);
    const [latest] = versions.body.data as { version: number; is_current: boolean; spec: AgentSpec }[];
    expect(latest).toMatchObject({ version: 2, is_current: true });
    expect(latest.spec.system_prompt).toBe(`${PROMPT}\nNever retry a declined card.`);
    expect(latest.spec.workflow.max_retries).toBe(2);

    const audit: { action: string }[] = await t.dataSource.query(
      `SELECT action FROM audit_log WHERE workspace_id = $1 AND action IN ('fix_proposal.created', 'fix_proposal.applied', 'catalog.agent.version_published') ORDER BY created_at`,
      [owner.workspace.id],
    );
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['fix_proposal.created', 'fix_proposal.applied', 'catalog.agent.version_published']),
    );
    const again = await apply(admin.key, proposal.id);
    expectProblem(again, 409);
    expect(again.body).toMatchObject({ code: 'already_applied' });
  });

  it('refuses a stale proposal or a diff that no longer applies with 409, changing nothing', async () => {
    local.reply = modelAnswer(`${PROMPT}\nNever retry a declined card.\nSay which order failed.`, 2);
    const first = (await fix(member.key).expect(200)).body as Proposal;
    const second = (await fix(member.key).expect(200)).body as Proposal;
    expect([first.base_version, second.base_version]).toEqual([2, 2]);
    await apply(admin.key, first.id).expect(200);

    const before = await countRows(t.dataSource, ['registry_versions']);
    const stale = await apply(admin.key, second.id);
    expectProblem(stale, 409);
    expect(stale.body).toMatchObject({ code: 'stale_proposal', base_version: 2, current_version: 3 });

    const third = (await fix(member.key).expect(200)).body as Proposal;
    expect(third.base_version).toBe(3);
    // Context lines that no longer match what the version holds (as if edited by hand).
    const tampered = third.diff
      .split('\n')
      .map((line) => (line.startsWith(' ') ? `${line} ` : line))
      .join('\n');
    await t.dataSource.query(`UPDATE fix_proposals SET diff = $2 WHERE id = $1`, [third.id, tampered]);
    const broken = await apply(admin.key, third.id);
    expectProblem(broken, 409);
    expect(broken.body).toMatchObject({ code: 'patch_does_not_apply' });
    expect(await countRows(t.dataSource, ['registry_versions'])).toEqual(before);
    expect((await currentSpec()).version).toBe(3);
  });

  it('falls back to the labelled plan of the detector when the model answer is unusable', async () => {
    local.reply = 'You should add a retry, I think.';
    const res = await fix(member.key).expect(200);
    expect(res.body).toMatchObject({ fallback: true, reason: 'invalid_model_output', model: localModel });
    expect(res.body.reason_detail).toContain('no JSON object');
    expect((res.body as Proposal).plan[0]).toMatchObject({ target: 'system_prompt' });
    expect((res.body as Proposal).diff).toContain('## Guardrails from incident fixes');
  });

  it('sends the provider token to a cloud provider online only on the wire, never in answers or logs', async () => {
    await activateDeployment(t, superadmin.key, cloudDeployment);
    cloud.reply = modelAnswer(`${PROMPT}\nCloud says: never charge twice.`, 2);
    const seen = cloud.requests.length;
    let body = '';
    const logs = await captureStdout(async () => {
      const res = await fix(member.key).expect(200);
      body = res.text;
      expect(res.body).toMatchObject({ fallback: false });
    });
    const calls = cloud.requests.slice(seen);
    expect(calls).toEqual([
      expect.objectContaining({ path: '/v1/chat/completions', authorization: `Bearer ${CLOUD_SECRET}` }),
    ]);
    expect(body).not.toContain(CLOUD_SECRET);
    expect(logs).not.toContain(CLOUD_SECRET);
    expect(logs).toContain('fix proposal');
  });

  it('falls back with fallback: true offline when only cloud models are bound, and makes no outbound request', async () => {
    // The cloud deployment is active; another replica flipped the profile offline.
    await t.dataSource.query(`UPDATE platform_runtime_profile SET mode = 'offline' WHERE id = 1`);
    try {
      outbound.length = 0;
      const cloudSeen = cloud.requests.length;
      const localSeen = local.requests.length;
      const res = await fix(member.key).expect(200);
      const proposal = res.body as Proposal;
      expect(proposal).toMatchObject({ fallback: true, reason: 'offline_provider_blocked', model: null });
      expect(proposal.reason_detail).toContain('offline');
      expect(proposal.plan.map((s) => s.target)).toEqual(['system_prompt', 'workflow', 'investigation']);
      expect(proposal.plan[0].detail).toContain('payments.charge');
      expect(outbound).toEqual([]);
      expect(cloud.requests.length).toBe(cloudSeen);
      expect(local.requests.length).toBe(localSeen);

      // The fallback's diff applies like any other and raises the retries for the tool error.
      const { spec, version } = await currentSpec();
      expect(proposal.base_version).toBe(version);
      const patched = parseAgentDocument(applyPatch(renderAgentDocument(spec), proposal.diff) as string);
      expect(patched.workflow.max_retries).toBe(3);
      expect(patched.system_prompt).toContain('[tool_error]');
    } finally {
      await t.dataSource.query(`UPDATE platform_runtime_profile SET mode = 'online' WHERE id = 1`);
      await activateDeployment(t, superadmin.key, localDeployment);
    }
  });

  it('answers 409 when the incident agent has no catalog definition', async () => {
    const before = await countRows(t.dataSource, ['fix_proposals']);
    const res = await as(member.key).post(`/api/incidents/${orphanIncidentId}/fix-agent`);
    expectProblem(res, 409);
    expect(res.body).toMatchObject({ code: 'agent_not_in_catalog' });
    expect(res.body.detail).toContain('/v1/catalog/agents');
    expect(await countRows(t.dataSource, ['fix_proposals'])).toEqual(before);
  });

  it('checks access: 401 without a key, 403 for a viewer, 404 across workspaces, 400/422 for bad input', async () => {
    const proposal = (
      (await as(viewer.key).get(`/api/incidents/${incidentId}/fix-agent`).expect(200)).body.data as Proposal[]
    )[0];
    const before = await countRows(t.dataSource, ['fix_proposals', 'registry_versions']);
    expectProblem(await request(t.http).post(`/api/incidents/${incidentId}/fix-agent`).send({}), 401);
    expectProblem(await request(t.http).post(`/api/incidents/${incidentId}/fix-agent/${proposal.id}/apply`), 401);
    expectProblem(await fix(viewer.key), 403);
    expectProblem(await fix(stranger.key), 404);
    expectProblem(await as(stranger.key).get(`/api/incidents/${incidentId}/fix-agent`), 404);
    expectProblem(await as(stranger.key).get(`/api/incidents/${incidentId}/fix-agent/${proposal.id}`), 404);
    expectProblem(await apply(stranger.key, proposal.id), 404);
    expectProblem(await as(admin.key).post(`/api/incidents/${incidentId}/fix-agent/${randomUUID()}/apply`), 404);
    expectProblem(await as(member.key).post(`/api/incidents/${randomUUID()}/fix-agent`), 404);
    expectProblem(await as(member.key).post('/api/incidents/not-a-uuid/fix-agent'), 400);
    const wrongAgent = await fix(member.key, { agent: 'someone-else' });
    expectProblem(wrongAgent, 422);
    expect(wrongAgent.body).toMatchObject({ code: 'agent_required' });
    expectProblem(await fix(member.key, { agent: 7 }), 422);
    expect(await countRows(t.dataSource, ['fix_proposals', 'registry_versions'])).toEqual(before);
  });
});
