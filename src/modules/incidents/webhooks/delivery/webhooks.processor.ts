import { Logger } from '@nestjs/common';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { JobName, QueueName } from 'src/queue/queue.constants';
import type { DeliverWebhookJob } from '../webhooks.constants';
import { WebhookAttemptFailedError, WebhookDeliveryRunner } from './webhook-delivery.runner';

/** The webhooks queue's jobs; thin: the runner does the work and logs each attempt. */
@Processor(QueueName.Webhooks)
export class WebhooksProcessor {
  private readonly logger = new Logger(WebhooksProcessor.name);

  constructor(private readonly runner: WebhookDeliveryRunner) {}

  @Process({ name: JobName.DeliverWebhook, concurrency: 4 })
  async deliverWebhook(job: Job<DeliverWebhookJob>): Promise<void> {
    try {
      const outcome = await this.runner.run(job);
      if (outcome === 'skipped') this.logger.debug(`${JobName.DeliverWebhook} ${job.data.deliveryId}: nothing to do`);
    } catch (err) {
      // A failed attempt is already logged by the runner; anything else is unexpected.
      if (!(err instanceof WebhookAttemptFailedError)) {
        this.logger.error(
          `${JobName.DeliverWebhook} ${job.data.deliveryId}: attempt ${job.attemptsMade + 1} broke: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      throw err;
    }
  }
}
