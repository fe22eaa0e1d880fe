import { Injectable } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';
import { type AdvertisedModel, OpenAiCompatibleAdapter } from './adapters/openai-compatible.adapter';
import { ProviderCallException } from './adapters/provider-http.client';
import type { ProviderTarget } from './adapters/provider-target';
import { ReadinessAdapter } from './adapters/readiness.adapter';
import { VectorStoreRegistry } from './adapters/vector-store.registry';
import type { PreflightEntryDto } from './dto/activation.dto';
import type { ValidationCheckDto } from './dto/provider.dto';
import type { ManagedModel } from './modelops.port';
import { OfflineProviderBlockedException } from './platform-control.exception';

/** How long an OpenAI-compatible `/models` inventory is reused to map local models at dispatch. */
const INVENTORY_TTL_MS = 15_000;

/** What maps a managed model to a runtime id. */
export type ModelIdentity = Pick<
  ManagedModel,
  'id' | 'name' | 'hosting' | 'source_id' | 'provider_model_id' | 'metadata'
>;

export interface ValidationOutcome {
  checks: ValidationCheckDto[];
  advertised?: string[];
}

/**
 * The real calls behind provider validation, deployment preflight and local model mapping, one
 * family at a time. Failures become data (a failed check, an unreachable or incompatible
 * preflight entry), except the offline block, which callers raise before calling here.
 */
@Injectable()
export class ProviderChecksService {
  private readonly inventories = new Map<string, { at: number; models: AdvertisedModel[] }>();

  constructor(
    private readonly openai: OpenAiCompatibleAdapter,
    private readonly vectors: VectorStoreRegistry,
    private readonly readiness: ReadinessAdapter,
  ) {}

  /**
   * Validation by family: OpenAI-compatible runtimes list their models, then run a dry-run chat
   * (`max_tokens: 1`) or an embeddings probe; vector stores answer a health check (pgvector: a
   * query); the MCP gateway and the sandbox answer their readiness check.
   */
  async validate(
    target: ProviderTarget,
    probeModel: string | null,
    loadedModel: ManagedModel | null,
  ): Promise<ValidationOutcome> {
    const checks: ValidationCheckDto[] = [];
    switch (target.adapter) {
      case 'openai_compatible': {
        const models = await this.check(checks, 'models', async () => {
          const listed = await this.inventory(target, true);
          return { detail: `${listed.length} model(s) advertised`, value: listed };
        });
        const advertised = models?.map((m) => m.id);
        const loaded = loadedModel && models ? this.runtimeModelId(target, loadedModel, models, loadedModel.id) : null;
        const model = probeModel ?? loaded ?? advertised?.[0];
        const probe = target.capability === 'embeddings' ? 'embeddings' : 'chat';
        if (!model) {
          checks.push(skip(probe, models ? 'The provider advertises no model to probe' : 'Skipped: /models failed'));
        } else if (probe === 'chat') {
          await this.check(checks, 'chat', async () => {
            const completion = await this.openai.chat(target, {
              model,
              messages: [{ role: 'user', content: 'ping' }],
              max_tokens: 1,
            });
            return { detail: `${model} answered (finish_reason ${completion.choices[0]?.finish_reason ?? 'none'})` };
          });
        } else {
          await this.check(checks, 'embeddings', async () => {
            const result = await this.openai.embeddings(target, model, ['ping']);
            return { detail: `${model} returned a ${result.vectors[0].length}-dimensional vector` };
          });
        }
        return { checks, advertised };
      }
      case 'qdrant':
      case 'weaviate':
      case 'pgvector':
        await this.check(checks, 'health', async () => ({ detail: await this.vectors.for(target).health(target) }));
        return { checks };
      case 'mcp_gateway':
      case 'sandbox':
        await this.check(checks, 'readiness', async () => ({ detail: await this.readiness.check(target) }));
        return { checks };
    }
  }

  /**
   * Activation preflight of one binding: is the provider reachable, and does it serve every bound
   * model? Missing resources are readiness metadata, not a preflight failure.
   */
  async preflight(
    capability: string,
    target: ProviderTarget,
    boundModels: ManagedModel[],
    loadedModelId: string | null,
  ): Promise<PreflightEntryDto> {
    const started = Date.now();
    const entry = (status: PreflightEntryDto['status'], detail: string): PreflightEntryDto => ({
      capability,
      provider_id: target.id,
      provider_slug: target.slug,
      family: target.family,
      provider_origin: target.origin,
      status,
      detail,
      latency_ms: Date.now() - started,
    });
    try {
      switch (target.adapter) {
        case 'openai_compatible': {
          const advertised = await this.inventory(target, true);
          const missing = boundModels.filter((m) => this.runtimeModelId(target, m, advertised, loadedModelId) === null);
          if (missing.length > 0) {
            return entry(
              'incompatible',
              `Does not serve ${missing.map((m) => `${m.name} (${m.id})`).join(', ')}; advertises ${
                advertised.map((a) => a.id).join(', ') || 'nothing'
              }`,
            );
          }
          return entry('ok', `${advertised.length} model(s) advertised`);
        }
        case 'qdrant':
        case 'weaviate':
        case 'pgvector':
          return entry('ok', await this.vectors.for(target).health(target));
        case 'mcp_gateway':
        case 'sandbox':
          return entry('ok', await this.readiness.check(target));
      }
    } catch (err) {
      if (err instanceof ProviderCallException) {
        const incompatible = ['auth', 'not_found', 'bad_response', 'refused'].includes(err.failure);
        return entry(incompatible ? 'incompatible' : 'unreachable', err.message);
      }
      if (err instanceof OfflineProviderBlockedException) return entry('blocked', err.message);
      if (err instanceof AppException) return entry('incompatible', err.message);
      throw err;
    }
  }

  /** The provider's `/models`, reused for a few seconds unless `fresh`. */
  async inventory(target: ProviderTarget, fresh = false): Promise<AdvertisedModel[]> {
    const cached = this.inventories.get(target.id);
    if (!fresh && cached && Date.now() - cached.at < INVENTORY_TTL_MS) return cached.models;
    const models = await this.openai.listModels(target);
    this.inventories.set(target.id, { at: Date.now(), models });
    return models;
  }

  /**
   * The id the provider serves a managed model under. Cloud models use their `provider_model_id`
   * (their name without one). Local models are matched against the provider's `/models`: the
   * metadata's `runtime_model_id`, the provider model id, the hub repository, its last segment or
   * the name; a runtime that advertises a single model whose slot holds this one serves it too.
   */
  runtimeModelId(
    target: ProviderTarget,
    model: ModelIdentity,
    advertised: AdvertisedModel[] | null,
    loadedModelId: string | null,
  ): string | null {
    if (model.hosting === 'cloud' && target.origin === 'cloud' && advertised === null) {
      return model.provider_model_id ?? model.name;
    }
    const ids = new Set((advertised ?? []).map((a) => a.id));
    const hinted = model.metadata?.runtime_model_id;
    const candidates = [
      typeof hinted === 'string' ? hinted : null,
      model.provider_model_id,
      model.source_id,
      model.source_id?.split('/').pop() ?? null,
      model.name,
    ].filter((c): c is string => !!c);
    const found = candidates.find((c) => ids.has(c));
    if (found) return found;
    if (loadedModelId === model.id && advertised?.length === 1) return advertised[0].id;
    return null;
  }

  private async check<T>(
    checks: ValidationCheckDto[],
    name: string,
    run: () => Promise<{ detail: string; value?: T }>,
  ): Promise<T | undefined> {
    const started = Date.now();
    try {
      const { detail, value } = await run();
      checks.push({ name, status: 'pass', detail, code: null, latency_ms: Date.now() - started });
      return value ?? (true as T);
    } catch (err) {
      if (!(err instanceof AppException) || err instanceof OfflineProviderBlockedException) throw err;
      checks.push({ name, status: 'fail', detail: err.message, code: err.code, latency_ms: Date.now() - started });
      return undefined;
    }
  }
}

function skip(name: string, detail: string): ValidationCheckDto {
  return { name, status: 'skip', detail, code: null, latency_ms: 0 };
}
