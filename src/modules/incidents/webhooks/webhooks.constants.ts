import { JobName } from 'src/queue/queue.constants';

/** Events a webhook can subscribe to (the `Flightdeck-Event` header and the body's `type`). */
export const WEBHOOK_EVENT_TYPES = [
  'incident.opened',
  'incident.reopened',
  'incident.resolved',
  'session.failed',
  'example.ready',
  'regression.finished',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The event of `POST /v1/webhooks/{id}/test`: sent to any webhook, never subscribed to. */
export const PING_EVENT = 'ping';
export type DeliveryEventType = WebhookEventType | typeof PING_EVENT;

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Prefix of signing secrets, as Stripe's `whsec_`: a leaked one is recognisable in a scan. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Bytes of a receiver's answer kept in the delivery log; the rest is never read. */
export const RESPONSE_EXCERPT_BYTES = 4096;

/** Webhooks one workspace may have: each event fans out to all of them. */
export const MAX_WEBHOOKS_PER_WORKSPACE = 100;

/** Pending deliveries re-queued per batch when a process starts. */
export const RESUME_BATCH = 500;

export const SIGNATURE_HEADER = 'Flightdeck-Signature';
export const TIMESTAMP_HEADER = 'Flightdeck-Timestamp';
export const EVENT_HEADER = 'Flightdeck-Event';
export const DELIVERY_HEADER = 'Flightdeck-Delivery';
export const ATTEMPT_HEADER = 'Flightdeck-Attempt';
export const WEBHOOK_USER_AGENT = 'Flightdeck-Webhooks/1';

/** Payload of a `webhooks.deliver-webhook` job. */
export interface DeliverWebhookJob {
  deliveryId: string;
  /** The delivery's `run` when queued: a job of an earlier run (before a redelivery) steps aside. */
  run: number;
}
export interface WebhookJobs {
  [JobName.DeliverWebhook]: DeliverWebhookJob;
}

/** Bull job id of a delivery's run: enqueueing it twice (resume after a restart) is a no-op. */
export const deliveryJobId = (deliveryId: string, run: number) => `webhook-delivery:${deliveryId}:${run}`;
