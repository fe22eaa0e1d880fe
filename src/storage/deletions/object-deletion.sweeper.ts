import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from 'src/config/configuration';
import { ObjectStorage } from 'src/storage/object-storage';
import { ObjectDeletionsRepository } from './object-deletions.repository';

/** Prefixes one sweep takes on. */
const SWEEP_BATCH = 20;
/** How long a taken prefix is left to its sweep before another process may take it. */
const LEASE_SECONDS = 600;
/** Waits after failed attempts: 30 s, doubling, at most 6 h. */
const RETRY_BASE_SECONDS = 30;
const RETRY_MAX_SECONDS = 6 * 3600;

export interface SweepResult {
  /** Prefixes whose objects are gone (and their queue rows with them). */
  cleared: string[];
  /** Prefixes whose removal failed; they are retried later. */
  failed: string[];
}

/**
 * Removes from object storage what deleted workspaces, projects and LangSmith runs left there. The
 * deleting transaction queues their key prefixes in `object_deletions` (database triggers); every
 * STORAGE_SWEEP_INTERVAL_MS a process that runs jobs leases a batch of due prefixes (SKIP LOCKED:
 * replicas share the work), deletes their objects and then their rows. A failure is recorded and
 * retried with a growing wait; a process that dies mid-sweep leaves its lease to expire.
 */
@Injectable()
export class ObjectDeletionSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ObjectDeletionSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<SweepResult>;

  constructor(
    private readonly queue: ObjectDeletionsRepository,
    private readonly storage: ObjectStorage,
    private readonly config: ConfigService<AllConfig, true>,
  ) {}

  onApplicationBootstrap(): void {
    const { sweepIntervalMs } = this.config.getOrThrow('storage', { infer: true });
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.logger.warn({ err: error }, 'object deletion sweep failed'));
    }, sweepIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One sweep (a running one is joined rather than doubled). */
  sweep(): Promise<SweepResult> {
    this.running ??= this.sweepDue().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepDue(): Promise<SweepResult> {
    const result: SweepResult = { cleared: [], failed: [] };
    for (const { prefix, attempts } of await this.queue.lease(SWEEP_BATCH, LEASE_SECONDS)) {
      try {
        await this.storage.deleteUnder(prefix);
        await this.queue.remove(prefix);
        result.cleared.push(prefix);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const waitSeconds = Math.min(RETRY_BASE_SECONDS * 2 ** (attempts - 1), RETRY_MAX_SECONDS);
        await this.queue.recordFailure(prefix, message, waitSeconds);
        this.logger.warn(`objects under ${prefix}/ not removed yet (attempt ${attempts}): ${message}`);
        result.failed.push(prefix);
      }
    }
    if (result.cleared.length > 0)
      this.logger.log(`removed the stored objects of ${result.cleared.length} deletion(s)`);
    return result;
  }
}
