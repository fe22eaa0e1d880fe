import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from 'src/config/configuration';
import { InjectJobQueue, type JobQueue } from 'src/queue/job-queue';
import { JobName, QueueName } from 'src/queue/queue.constants';
import { isWorkerProcess } from 'src/queue/queue-role';
import type { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import { WebhookDeliveriesRepository } from '../webhook-deliveries.repository';
import { deliveryJobId, RESUME_BATCH, type WebhookJobs } from '../webhooks.constants';

/**
 * Puts deliveries on the webhooks queue. The delivery row always exists first; a job that could
 * not be queued (Redis down) leaves its row pending, and pending rows are queued again when a
 * process that runs the jobs starts (without Redis, queued jobs die with the process). The job
 * id carries the delivery's run, so queueing a row whose job survived in Redis changes nothing.
 */
@Injectable()
export class WebhookDeliveryQueue implements OnApplicationBootstrap {
  private readonly logger = new Logger(WebhookDeliveryQueue.name);

  constructor(
    @InjectJobQueue(QueueName.Webhooks) private readonly jobs: JobQueue<WebhookJobs>,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly config: ConfigService<AllConfig, true>,
  ) {}

  /** Queues the delivery's current run, due at its `nextAttemptAt` (now when unset). */
  async enqueue(delivery: Pick<WebhookDeliveryEntity, 'id' | 'run' | 'nextAttemptAt'>): Promise<void> {
    const { maxAttempts, retryBaseDelayMs } = this.config.getOrThrow('webhooks', { infer: true });
    const delay = delivery.nextAttemptAt ? Math.max(0, delivery.nextAttemptAt.getTime() - Date.now()) : 0;
    await this.jobs.add(
      JobName.DeliverWebhook,
      { deliveryId: delivery.id, run: delivery.run },
      {
        jobId: deliveryJobId(delivery.id, delivery.run),
        attempts: maxAttempts,
        backoff: { type: 'exponential', delay: retryBaseDelayMs },
        ...(delay > 0 ? { delay } : {}),
      },
    );
  }

  /** `enqueue` for callers that must not fail once the rows are stored: the row stays pending. */
  async enqueueOrDefer(deliveries: Pick<WebhookDeliveryEntity, 'id' | 'run' | 'nextAttemptAt'>[]): Promise<void> {
    for (const delivery of deliveries) {
      try {
        await this.enqueue(delivery);
      } catch (err) {
        this.logger.error(
          `Webhook delivery ${delivery.id} stays pending, its job could not be queued: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    // Processes that take no jobs (one-shot commands, API replicas with RUN_PROCESSORS=false) leave them to workers.
    if (!this.config.getOrThrow('queue', { infer: true }).runProcessors && !isWorkerProcess()) return;
    let after: { createdAt: Date; id: string } | undefined;
    let resumed = 0;
    for (;;) {
      const batch = await this.deliveries.listPending(RESUME_BATCH, after);
      if (batch.length === 0) break;
      await this.enqueueOrDefer(batch);
      resumed += batch.length;
      const last = batch[batch.length - 1];
      after = { createdAt: last.createdAt, id: last.id };
    }
    if (resumed > 0) this.logger.log(`Queued ${resumed} pending webhook deliveries again`);
  }
}
