import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { AllConfig } from 'src/config/configuration';
import { DatabaseUrlProvider } from 'src/database/database-url.provider';
import { HealthResponseDto } from './health-response.dto';
import { RedisPing } from './redis-ping';

@Injectable()
export class HealthService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisPing,
    private readonly databaseUrl: DatabaseUrlProvider,
    private readonly config: ConfigService<AllConfig, true>,
  ) {}

  async summary(): Promise<HealthResponseDto> {
    const [databaseUp, redisUp] = await Promise.all([
      this.databaseUp(),
      this.redis.configured ? this.redis.ping() : null,
    ]);
    const redisStatus = redisUp === null ? 'disabled' : redisUp ? 'up' : 'down';
    return {
      status: databaseUp && redisStatus !== 'down' ? 'ok' : 'degraded',
      version: this.config.getOrThrow('app', { infer: true }).version,
      uptime_seconds: Math.round(process.uptime() * 10) / 10,
      database: { status: databaseUp ? 'up' : 'down', mode: this.databaseUrl.isEmbedded ? 'embedded' : 'external' },
      redis: { status: redisStatus, mode: redisUp === null ? 'in-process' : 'redis' },
    };
  }

  /** Ready to take traffic: the database answers, and Redis when it is configured. 503 otherwise. */
  readiness() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 1500 }),
      async () => {
        const indicator = this.indicators.check('redis');
        if (!this.redis.configured) return indicator.up({ mode: 'in-process' });
        return (await this.redis.ping()) ? indicator.up() : indicator.down();
      },
    ]);
  }

  /** Alive: the event loop turns. No dependency is checked, so a database outage does not restart pods. */
  liveness() {
    return this.health.check([]);
  }

  private async databaseUp(): Promise<boolean> {
    try {
      await this.db.pingCheck('database', { timeout: 1500 });
      return true;
    } catch {
      return false;
    }
  }
}
