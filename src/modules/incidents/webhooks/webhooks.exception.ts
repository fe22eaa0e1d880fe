import { HttpStatus } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';

export const WebhooksErrorCode = {
  /** The URL is not http(s), carries credentials, or reaches a private address that is not allowed. */
  TargetRefused: 'webhook_target_refused',
  /** A redelivery was asked for while the delivery is still being attempted. */
  DeliveryInProgress: 'delivery_in_progress',
  TooManyWebhooks: 'too_many_webhooks',
  /** No configured key-encryption key opens the stored signing secret. */
  SecretUndecryptable: 'webhook_secret_undecryptable',
} as const;
export type WebhooksErrorCode = (typeof WebhooksErrorCode)[keyof typeof WebhooksErrorCode];

export class WebhooksException extends AppException {
  constructor(status: HttpStatus, code: WebhooksErrorCode, detail: string, extras: Record<string, unknown> = {}) {
    super(status, code, detail, extras);
  }
}
