import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsOptional } from 'class-validator';

export class ModelUsageQueryDto {
  /** Start of the window (inclusive); 30 days ago by default. */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsDateString({ strict: true })
  since?: string;

  /** End of the window (exclusive); now by default. */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsDateString({ strict: true })
  until?: string;
}

export class UsageTotalsDto {
  requests: number;

  input_tokens: number;

  output_tokens: number;

  @ApiProperty({ type: Number, nullable: true })
  avg_latency_ms: number | null;

  @ApiProperty({ type: Number, nullable: true })
  p95_latency_ms: number | null;
}

export class UsageDayDto extends UsageTotalsDto {
  /** UTC day, `YYYY-MM-DD`. */
  @ApiProperty({ example: '2026-11-23' })
  date: string;
}

export class ModelUsageResponseDto {
  @ApiProperty({ format: 'uuid' })
  model_id: string;

  @ApiProperty({ format: 'date-time' })
  since: string;

  @ApiProperty({ format: 'date-time' })
  until: string;

  /** Calls of the inference path. */
  @ApiProperty({ type: UsageTotalsDto })
  inference: UsageTotalsDto;

  /** Calls made by `POST .../test`. */
  @ApiProperty({ type: UsageTotalsDto })
  tests: UsageTotalsDto;

  /** Inference calls per UTC day, oldest first (days without calls omitted). */
  @ApiProperty({ type: [UsageDayDto] })
  daily: UsageDayDto[];
}
