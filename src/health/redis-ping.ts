import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import type { AllConfig } from 'src/config/configuration';

/** A lazily connected client used only to answer health checks. */
@Injectable()
export class RedisPing implements OnModuleDestroy {
  private client?: Redis;

  constructor(private readonly config: ConfigService<AllConfig, true>) {}

  get configured(): boolean {
    return Boolean(this.config.getOrThrow('queue', { infer: true }).redisUrl);
  }

  /** True when Redis answers PING within the timeout. */
  async ping(timeoutMs = 1000): Promise<boolean> {
    const url = this.config.getOrThrow('queue', { infer: true }).redisUrl;
    if (!url) return false;
    this.client ??= new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
    try {
      const answer = await Promise.race([
        this.client.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
      ]);
      return answer === 'PONG';
    } catch {
      return false;
    }
  }

  onModuleDestroy(): void {
    this.client?.disconnect();
  }
}
