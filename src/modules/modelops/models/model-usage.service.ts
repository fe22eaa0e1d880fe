import { HttpStatus, Injectable } from '@nestjs/common';
import { NotFoundAppException, ValidationAppException } from 'src/common/errors/app.exception';
import { ModelOpsErrorCode, ModelOpsException } from '../modelops.exception';
import { ModelUsageQueryDto, ModelUsageResponseDto, UsageTotalsDto } from './dto/model-usage.dto';
import type { UsageSource } from './entities/model-usage.entity';
import { ModelUsageRepository, UsageTotalsRow } from './model-usage.repository';
import { ModelsRepository } from './models.repository';

/** One call of a model, as the inference path reports it. */
export interface UsageRecord {
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
}

const DEFAULT_WINDOW_MS = 30 * 24 * 3600 * 1000;
const EMPTY: UsageTotalsDto = {
  requests: 0,
  input_tokens: 0,
  output_tokens: 0,
  avg_latency_ms: null,
  p95_latency_ms: null,
};

/** Recorded usage of managed models: written by the inference path and by tests, read by `/usage`. */
@Injectable()
export class ModelUsageService {
  constructor(
    private readonly usage: ModelUsageRepository,
    private readonly models: ModelsRepository,
  ) {}

  /**
   * Records one call of `modelId` (the inference path calls this after each model call).
   * Token counts and latency must be non-negative integers.
   */
  async recordUsage(
    modelId: string,
    record: UsageRecord,
    options: { workspaceId?: string | null; source?: UsageSource } = {},
  ): Promise<void> {
    const values = [record.input_tokens, record.output_tokens, record.latency_ms];
    if (values.some((v) => !Number.isInteger(v) || v < 0)) {
      throw new ModelOpsException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        ModelOpsErrorCode.InvalidModelConfig,
        'Usage needs non-negative integer input_tokens, output_tokens and latency_ms',
      );
    }
    await this.usage.append({
      modelId,
      workspaceId: options.workspaceId ?? null,
      source: options.source ?? 'inference',
      inputTokens: record.input_tokens,
      outputTokens: record.output_tokens,
      latencyMs: record.latency_ms,
    });
  }

  async summary(modelId: string, query: ModelUsageQueryDto): Promise<ModelUsageResponseDto> {
    const until = query.until ? new Date(query.until) : new Date();
    const since = query.since ? new Date(query.since) : new Date(until.getTime() - DEFAULT_WINDOW_MS);
    if (since.getTime() >= until.getTime()) {
      throw new ValidationAppException([{ field: 'since', message: 'since must be before until' }]);
    }
    const model = await this.models.getById(modelId);
    if (!model) throw new NotFoundAppException('Model', modelId);
    const totals = await this.usage.totals(modelId, since, until);
    const bySource = (source: UsageSource): UsageTotalsDto => {
      const row: UsageTotalsRow | undefined = totals.find((t) => t.source === source);
      if (!row) return { ...EMPTY };
      return {
        requests: row.requests,
        input_tokens: row.input_tokens,
        output_tokens: row.output_tokens,
        avg_latency_ms: row.avg_latency_ms,
        p95_latency_ms: row.p95_latency_ms,
      };
    };
    return {
      model_id: modelId,
      since: since.toISOString(),
      until: until.toISOString(),
      inference: bySource('inference'),
      tests: bySource('test'),
      daily: await this.usage.daily(modelId, 'inference', since, until),
    };
  }
}
