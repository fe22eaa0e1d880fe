import { Logger, OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage';

/**
 * Shared (Redis) rate-limit counters that fail open: while the shared store does not answer,
 * each process counts in memory instead. An outage of Redis must not turn every request,
 * ingestion included, into an error.
 */
export class FailOpenThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly logger = new Logger('Throttling');
  private readonly local = new FixedWindowThrottlerStorage();
  private failing = false;

  constructor(private readonly shared: ThrottlerStorage & Partial<OnModuleDestroy>) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    try {
      const record = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
      if (this.failing) this.logger.log('Shared rate-limit store is back');
      this.failing = false;
      return record;
    } catch (error) {
      if (!this.failing) {
        this.logger.warn(`Shared rate-limit store failed (${(error as Error).message}); counting per process`);
      }
      this.failing = true;
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onModuleDestroy(): void {
    this.shared.onModuleDestroy?.();
    this.local.onApplicationShutdown();
  }
}
