import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { toPage } from 'src/common/pagination/cursor';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { CredentialsService } from '../credentials/credentials.service';
import { EgressGate } from '../egress/egress-gate';
import { assertTransition, stateAfterValidation } from '../lifecycle/model-lifecycle';
import { STORED_EXCERPT_CHARS } from '../modelops.constants';
import { ModelOpsErrorCode, ModelOpsException } from '../modelops.exception';
import { cursorOf, positionOf } from '../modelops.pagination';
import { OpenAiCompatibleClient, OpenAiTarget } from '../providers/openai-compatible.client';
import { ModelRuntimeRegistry, ModelRuntimeTarget } from '../runtimes/model-runtime.registry';
import {
  ModelTestPageDto,
  ModelTestResponseDto,
  RunModelTestDto,
  TestRuntimeDto,
  TestRuntimesResponseDto,
  ValidationPageDto,
  ValidationResponseDto,
  ValidationResultDto,
} from './dto/model-check.dto';
import { ModelTestEntity } from './entities/model-test.entity';
import { ModelValidationEntity } from './entities/model-validation.entity';
import type { ModelEntity } from './entities/model.entity';
import { ModelUsageService } from './model-usage.service';
import { ModelValidators } from './model-validators';
import { ModelsRepository } from './models.repository';
import { ModelsService } from './models.service';

const DEFAULT_PROMPT = 'Reply with the single word: ok';

/**
 * The checks of the lifecycle, each recorded: `validate` (a real check: the provider's `/models`
 * with the credential for a cloud model; the stored files and their metadata for a local one)
 * and `test` (a real call: chat completion or embedding), plus the runtimes a test can use.
 */
@Injectable()
export class ModelChecksService {
  private readonly logger = new Logger(ModelChecksService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly models: ModelsRepository,
    private readonly modelsService: ModelsService,
    private readonly credentials: CredentialsService,
    private readonly validators: ModelValidators,
    private readonly egress: EgressGate,
    private readonly openai: OpenAiCompatibleClient,
    private readonly runtimes: ModelRuntimeRegistry,
    private readonly usage: ModelUsageService,
    private readonly audit: AuditLogService,
  ) {}

  /**
   * Runs the check and records it as the model's current validation: `registered` becomes
   * `validated` on success, `validated` falls back to `registered` on failure. Offline, a cloud
   * model is not checked at all (409 `offline_provider_blocked`) and nothing is recorded.
   */
  async validate(principal: Principal, id: string): Promise<ValidationResultDto> {
    const model = await this.modelsService.requireModel(id);
    assertTransition(model.lifecycleState, 'validate');
    const started = Date.now();
    const outcome =
      model.hosting === 'cloud' ? await this.validators.checkCloud(model) : await this.validators.checkLocal(model);
    const durationMs = Date.now() - started;
    const { validation, updated } = await this.dataSource.transaction(async (manager) => {
      const locked = await this.models.getByIdForUpdate(id, manager);
      if (!locked) throw new NotFoundAppException('Model', id);
      const to = stateAfterValidation(locked.lifecycleState, outcome.success); // the state may have moved meanwhile
      const row = await this.models.addValidation(
        {
          modelId: id,
          status: outcome.success ? 'success' : 'failure',
          details: outcome.details,
          error: outcome.error,
          durationMs,
          createdByUserId: principal.userId,
        },
        manager,
      );
      await this.models.update(
        id,
        {
          lifecycleState: to,
          isValidationCurrent: true,
          lastValidationStatus: row.status,
          lastValidatedAt: row.createdAt,
        },
        manager,
      );
      await this.audit.record(
        principal,
        {
          workspaceId: null,
          action: 'modelops.model.validated',
          targetType: 'modelops_model',
          targetId: id,
          data: {
            name: locked.name,
            status: row.status,
            from: locked.lifecycleState,
            to,
            error: outcome.error?.code ?? null,
          },
        },
        manager,
      );
      return { validation: row, updated: (await this.models.getByIdForUpdate(id, manager))! };
    });
    return { validation: this.toValidation(validation), model: this.modelsService.toResponse(updated) };
  }

  /**
   * Runs a real call of the model and records it (a failed call is a recorded result, not an
   * error). Cloud: on its endpoint with its credential (refused offline). Local: on a runtime
   * that serves the model now (409 `runtime_not_serving` when none does).
   */
  async test(principal: Principal, id: string, dto: RunModelTestDto): Promise<ModelTestResponseDto> {
    const model = await this.modelsService.requireModel(id);
    assertTransition(model.lifecycleState, 'test');
    const { target, runtimeId, runtimeModel } = await this.testTarget(model, dto.runtime_id);
    const prompt = dto.prompt ?? DEFAULT_PROMPT;
    const input = {
      prompt,
      runtime_model_id: runtimeModel,
      ...(model.task === 'llm' ? { max_tokens: dto.max_tokens ?? 16 } : {}),
    };
    let row: Partial<ModelTestEntity>;
    if (model.task === 'llm') {
      const result = await this.openai.chat(target, runtimeModel, prompt, dto.max_tokens ?? 16);
      row = result.ok
        ? {
            status: 'success',
            output: { text: result.text.slice(0, STORED_EXCERPT_CHARS) },
            inputTokens: result.inputTokens,
            outputTokens: result.outputTokens,
            latencyMs: result.latencyMs,
            error: null,
          }
        : {
            status: 'failure',
            output: {},
            latencyMs: result.latencyMs,
            error: { code: result.code, message: result.message },
          };
    } else {
      const result = await this.openai.embed(target, runtimeModel, prompt);
      row = result.ok
        ? {
            status: 'success',
            output: { dimensions: result.dimensions },
            inputTokens: result.inputTokens,
            outputTokens: 0,
            latencyMs: result.latencyMs,
            error: null,
          }
        : {
            status: 'failure',
            output: {},
            latencyMs: result.latencyMs,
            error: { code: result.code, message: result.message },
          };
    }
    const saved = await this.models.addTest({
      ...row,
      modelId: id,
      runtimeId,
      input,
      createdByUserId: principal.userId,
    });
    if (saved.status === 'success') {
      await this.usage.recordUsage(
        id,
        { input_tokens: saved.inputTokens ?? 0, output_tokens: saved.outputTokens ?? 0, latency_ms: saved.latencyMs },
        { workspaceId: principal.workspaceId, source: 'test' },
      );
    }
    this.logger.log(`Test of model ${id} on ${runtimeId}: ${saved.status} in ${saved.latencyMs} ms`);
    return this.toTest(saved);
  }

  /** Where a test of the model can run: its cloud endpoint, or the local runtimes platform-control reports. */
  async testRuntimes(id: string): Promise<TestRuntimesResponseDto> {
    const model = await this.modelsService.requireModel(id);
    return { model_id: id, runtimes: (await this.runtimesOf(model)).map(({ runtime }) => runtime) };
  }

  async listValidations(id: string, query: PageQueryDto): Promise<ValidationPageDto> {
    await this.modelsService.requireModel(id);
    const rows = await this.models.listValidations(
      id,
      query.limit,
      query.cursor ? positionOf(query.cursor) : undefined,
    );
    const page = toPage(rows, query.limit, cursorOf);
    return { data: page.data.map((row) => this.toValidation(row)), next_cursor: page.next_cursor };
  }

  async listTests(id: string, query: PageQueryDto): Promise<ModelTestPageDto> {
    await this.modelsService.requireModel(id);
    const rows = await this.models.listTests(id, query.limit, query.cursor ? positionOf(query.cursor) : undefined);
    const page = toPage(rows, query.limit, cursorOf);
    return { data: page.data.map((row) => this.toTest(row)), next_cursor: page.next_cursor };
  }

  private async testTarget(
    model: ModelEntity,
    runtimeId: string | undefined,
  ): Promise<{ target: OpenAiTarget; runtimeId: string; runtimeModel: string }> {
    if (model.hosting === 'cloud') {
      await this.egress.assert('cloud_provider');
      const apiKey = model.credentialId ? await this.credentials.resolveSecret(model.credentialId) : undefined;
      return { target: { baseUrl: model.baseUrl!, apiKey }, runtimeId: 'cloud', runtimeModel: model.providerModelId! };
    }
    const candidates = await this.runtimesOf(model);
    const chosen = runtimeId
      ? candidates.find((c) => c.runtime.id === runtimeId)
      : candidates.find((c) => c.runtime.serving);
    if (!chosen || !chosen.runtime.serving || !chosen.target?.runtime_model_id) {
      throw new ModelOpsException(
        HttpStatus.CONFLICT,
        ModelOpsErrorCode.RuntimeNotServing,
        runtimeId
          ? `Runtime ${runtimeId} does not serve model ${model.id}; load it into the runtime's slot first`
          : `No runtime serves model ${model.id}; load it into a runtime's slot first`,
        {
          runtimes: candidates.map(({ runtime }) => ({
            id: runtime.id,
            slot_state: runtime.slot_state,
            serving: runtime.serving,
          })),
        },
      );
    }
    const t = chosen.target;
    return {
      target: { baseUrl: t.base_url, apiKey: t.api_key, allowPrivate: true },
      runtimeId: t.id,
      runtimeModel: t.runtime_model_id!,
    };
  }

  private async runtimesOf(model: ModelEntity): Promise<{ runtime: TestRuntimeDto; target?: ModelRuntimeTarget }[]> {
    if (model.hosting === 'cloud') {
      return [
        {
          runtime: {
            id: 'cloud',
            kind: 'cloud',
            provider: model.provider,
            display_name: model.baseUrl ? new URL(model.baseUrl).host : model.provider,
            base_url: model.baseUrl ?? '',
            slot_state: 'n/a',
            loaded_model_id: null,
            runtime_model_id: model.providerModelId,
            advertised: [],
            serving: Boolean(model.baseUrl && model.providerModelId),
          },
        },
      ];
    }
    const targets = await this.runtimes.runtimesFor({
      id: model.id,
      name: model.name,
      hosting: model.hosting,
      task: model.task,
      source_id: model.sourceId,
      provider_model_id: model.providerModelId,
      metadata: model.metadata,
    });
    return targets.map((t) => ({
      target: t,
      runtime: {
        id: t.id,
        kind: 'local',
        provider: t.provider,
        display_name: t.display_name,
        base_url: t.base_url,
        slot_state: t.slot_state,
        loaded_model_id: t.loaded_model_id,
        runtime_model_id: t.runtime_model_id,
        advertised: t.advertised.map((a) => ({ id: a.id, owned_by: a.owned_by ?? null })),
        serving: t.serving,
      },
    }));
  }

  private toValidation(row: ModelValidationEntity): ValidationResponseDto {
    return {
      id: row.id,
      model_id: row.modelId,
      status: row.status,
      is_current: row.isCurrent,
      details: row.details,
      error: row.error,
      duration_ms: row.durationMs,
      created_at: row.createdAt.toISOString(),
    };
  }

  private toTest(row: ModelTestEntity): ModelTestResponseDto {
    return {
      id: row.id,
      model_id: row.modelId,
      status: row.status,
      runtime_id: row.runtimeId,
      input: row.input,
      output: row.output,
      error: row.error,
      latency_ms: row.latencyMs,
      input_tokens: row.inputTokens,
      output_tokens: row.outputTokens,
      created_at: row.createdAt.toISOString(),
    };
  }
}
