import { ApiProperty } from '@nestjs/swagger';

export class DependencyStatusDto {
  @ApiProperty({ enum: ['up', 'down', 'disabled'] })
  status: 'up' | 'down' | 'disabled';

  /** Which engine or mode backs it, e.g. `embedded` or `external`, `in-process` or `redis`. */
  @ApiProperty({ example: 'external' })
  mode: string;
}

export class HealthResponseDto {
  @ApiProperty({ enum: ['ok', 'degraded'] })
  status: 'ok' | 'degraded';

  @ApiProperty({ example: '0.1.0' })
  version: string;

  @ApiProperty({ example: 42.5 })
  uptime_seconds: number;

  @ApiProperty({ type: DependencyStatusDto })
  database: DependencyStatusDto;

  @ApiProperty({ type: DependencyStatusDto })
  redis: DependencyStatusDto;
}
