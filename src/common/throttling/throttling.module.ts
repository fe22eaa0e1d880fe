import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import type { AllConfig } from 'src/config/configuration';
import { FailOpenThrottlerStorage } from './fail-open-throttler.storage';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage';

/** Rate limits shared by all replicas through Redis when there is one; in memory otherwise. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AllConfig, true>) => {
        const http = config.getOrThrow('http', { infer: true });
        const { redisUrl } = config.getOrThrow('queue', { infer: true });
        return {
          throttlers: [{ name: 'default', ttl: http.rateLimitTtlMs, limit: http.rateLimitMax }],
          storage: redisUrl
            ? new FailOpenThrottlerStorage(
                new ThrottlerStorageRedisService(redisUrl, {
                  keyPrefix: 'flightdeck:throttle:',
                  // Fail fast while Redis is down instead of queueing commands: the fallback counts.
                  enableOfflineQueue: false,
                  maxRetriesPerRequest: 1,
                }),
              )
            : new FixedWindowThrottlerStorage(),
        };
      },
    }),
  ],
})
export class ThrottlingModule {}
