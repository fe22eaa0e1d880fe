import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type QueryDeepPartialEntity } from 'typeorm';
import { ModelUsageEntity, type UsageSource } from './entities/model-usage.entity';

export interface UsageTotalsRow {
  source: UsageSource;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  avg_latency_ms: number | null;
  p95_latency_ms: number | null;
}

export interface UsageDayRow extends Omit<UsageTotalsRow, 'source'> {
  date: string;
}

/** Recorded calls of models; aggregated in SQL. */
@Injectable()
export class ModelUsageRepository {
  constructor(@InjectRepository(ModelUsageEntity) private readonly rows: Repository<ModelUsageEntity>) {}

  async append(data: Partial<ModelUsageEntity>): Promise<void> {
    await this.rows.insert(this.rows.create(data) as QueryDeepPartialEntity<ModelUsageEntity>);
  }

  totals(modelId: string, since: Date, until: Date): Promise<UsageTotalsRow[]> {
    return this.rows.query(
      `SELECT source, count(*)::int AS requests,
              coalesce(sum(input_tokens), 0)::int AS input_tokens,
              coalesce(sum(output_tokens), 0)::int AS output_tokens,
              round(avg(latency_ms))::int AS avg_latency_ms,
              round(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms))::int AS p95_latency_ms
         FROM modelops_model_usage
        WHERE model_id = $1 AND created_at >= $2 AND created_at < $3
        GROUP BY source`,
      [modelId, since, until],
    );
  }

  daily(modelId: string, source: UsageSource, since: Date, until: Date): Promise<UsageDayRow[]> {
    return this.rows.query(
      `SELECT to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS date,
              count(*)::int AS requests,
              coalesce(sum(input_tokens), 0)::int AS input_tokens,
              coalesce(sum(output_tokens), 0)::int AS output_tokens,
              round(avg(latency_ms))::int AS avg_latency_ms,
              round(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms))::int AS p95_latency_ms
         FROM modelops_model_usage
        WHERE model_id = $1 AND source = $2 AND created_at >= $3 AND created_at < $4
        GROUP BY 1 ORDER BY 1`,
      [modelId, source, since, until],
    );
  }
}
