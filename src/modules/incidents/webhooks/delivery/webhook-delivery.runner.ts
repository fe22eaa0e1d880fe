import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from 'src/config/configuration';
import { backoffDelay } from 'src/queue/in-process-queue';
import type { QueueJob } from 'src/queue/job-queue';
import type { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity';
import type { WebhookEntity } from '../entities/webhook.entity';
import { WebhookDeliveriesRepository } from '../webhook-deliveries.repository';
import { WebhookSecrets } from '../webhook-secrets';
import { signatureHeader } from '../webhook-signature';
import { WebhooksException } from '../webhooks.exception';
import { WebhooksRepository } from '../webhooks.repository';
import {
  ATTEMPT_HEADER,
  DELIVERY_HEADER,
  type DeliverWebhookJob,
  EVENT_HEADER,
  PING_EVENT,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  WEBHOOK_USER_AGENT,
} from '../webhooks.constants';
import { WebhookSender, type WebhookResponse } from './webhook-sender';

/** An attempt that did not succeed: Bull retries the job after its backoff unless it was the last. */
export class WebhookAttemptFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookAttemptFailedError';
  }
}

export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed' | 'skipped';

/**
 * One attempt of a delivery: sign the stored body with a fresh timestamp, POST it, and log the
 * attempt with the delivery's new state in one transaction. 2xx succeeds; any other status, a
 * network error or a timeout is retried until the run's attempts are spent; a target refused by
 * the private-address guard is not retried.
 */
@Injectable()
export class WebhookDeliveryRunner {
  private readonly logger = new Logger(WebhookDeliveryRunner.name);

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly secrets: WebhookSecrets,
    private readonly sender: WebhookSender,
    private readonly config: ConfigService<AllConfig, true>,
  ) {}

  /** Throws `WebhookAttemptFailedError` after a failed attempt, so that Bull counts and retries it. */
  async run(job: QueueJob<DeliverWebhookJob>): Promise<AttemptOutcome> {
    const delivery = await this.deliveries.getForAttempt(job.data.deliveryId);
    // Gone with its webhook, finished, or redelivered since this job was queued.
    if (!delivery || delivery.status !== 'pending' || delivery.run !== job.data.run) return 'skipped';
    const webhook = await this.webhooks.getById(delivery.workspaceId, delivery.webhookId);
    if (!webhook) return 'skipped';
    if (!webhook.active && delivery.eventType !== PING_EVENT) {
      await this.deliveries.markFailed(delivery.id, delivery.run, 'the webhook was deactivated');
      return 'failed';
    }
    let secret: string;
    try {
      secret = await this.secrets.open(webhook);
    } catch (err) {
      if (!(err instanceof WebhooksException)) throw err;
      await this.deliveries.markFailed(delivery.id, delivery.run, 'the signing secret cannot be decrypted');
      return 'failed';
    }

    const settings = this.config.getOrThrow('webhooks', { infer: true });
    const attempt = delivery.attemptCount + 1;
    const response = await this.sender.send({
      url: webhook.url,
      body: delivery.body,
      headers: this.headers(delivery, secret, attempt),
      timeoutMs: settings.timeoutMs,
      allowPrivate: settings.allowPrivateTargets,
    });
    const succeeded = isSuccess(response);
    const runAttempts = delivery.runAttemptCount + 1;
    const last = succeeded || response.refused || runAttempts >= settings.maxAttempts || !this.bullRetries(job);
    const error = succeeded ? null : (response.error ?? `the receiver answered ${response.statusCode}`);
    // Bull waits backoff(attemptsMade) after this failure; the log shows when that will be.
    const nextRetryAt = last
      ? null
      : new Date(Date.now() + (backoffDelay(job.opts.backoff, job.attemptsMade + 1) ?? 0));
    const now = new Date();
    await this.deliveries.recordAttempt(
      {
        workspaceId: delivery.workspaceId,
        deliveryId: delivery.id,
        attempt,
        run: delivery.run,
        url: webhook.url,
        statusCode: response.statusCode,
        succeeded,
        durationMs: response.durationMs,
        error,
        responseExcerpt: response.responseExcerpt,
        nextRetryAt,
      },
      delivery.id,
      {
        attemptCount: attempt,
        runAttemptCount: runAttempts,
        status: succeeded ? 'succeeded' : last ? 'failed' : 'pending',
        lastStatusCode: response.statusCode,
        lastError: error,
        nextAttemptAt: nextRetryAt,
        completedAt: last ? now : null,
      },
    );
    this.log(webhook, delivery, attempt, response, succeeded ? 'succeeded' : last ? 'failed' : 'retrying');
    if (succeeded) return 'succeeded';
    if (last) await job.discard();
    throw new WebhookAttemptFailedError(`delivery ${delivery.id} attempt ${attempt}: ${error}`);
  }

  private headers(delivery: WebhookDeliveryEntity, secret: string, attempt: number): Record<string, string> {
    const timestamp = Math.floor(Date.now() / 1000);
    return {
      'user-agent': WEBHOOK_USER_AGENT,
      [EVENT_HEADER]: delivery.eventType,
      [DELIVERY_HEADER]: delivery.id,
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signatureHeader(secret, timestamp, delivery.body),
      [ATTEMPT_HEADER]: String(attempt),
    };
  }

  /** Whether Bull has an attempt left after this one (a job resumed after a restart may have fewer). */
  private bullRetries(job: QueueJob<DeliverWebhookJob>): boolean {
    return job.attemptsMade + 1 < (job.opts.attempts ?? 1);
  }

  private log(
    webhook: WebhookEntity,
    delivery: WebhookDeliveryEntity,
    attempt: number,
    response: WebhookResponse,
    outcome: AttemptOutcome,
  ): void {
    const line = `Webhook ${webhook.id} delivery ${delivery.id} (${delivery.eventType}) attempt ${attempt}: ${outcome}, status ${response.statusCode ?? 'none'}, ${response.durationMs} ms`;
    if (outcome === 'succeeded') this.logger.log(line);
    else this.logger.warn(`${line}: ${response.error ?? 'non-2xx answer'}`);
  }
}

function isSuccess(response: WebhookResponse): boolean {
  return !response.refused && response.statusCode !== null && response.statusCode >= 200 && response.statusCode < 300;
}
