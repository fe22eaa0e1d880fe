import { HttpStatus, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { outboundRefusal } from 'src/common/http/outbound-target';
import type { AllConfig } from 'src/config/configuration';
import { WebhooksErrorCode, WebhooksException } from './webhooks.exception';

/**
 * The save-time half of the private-address guard (the delivery-time half is in WebhookSender,
 * after the connection's own DNS resolution): the shared outbound check, with the webhook setting.
 */
@Injectable()
export class WebhookTargets {
  constructor(private readonly config: ConfigService<AllConfig, true>) {}

  /** 422 `webhook_target_refused`, naming the reason, unless deliveries may go to `url`. */
  async assertAllowed(url: string): Promise<void> {
    const allowPrivate = this.config.getOrThrow('webhooks', { infer: true }).allowPrivateTargets;
    const reason = await outboundRefusal(new URL(url), allowPrivate, 'WEBHOOKS_ALLOW_PRIVATE_TARGETS');
    if (reason) {
      throw new WebhooksException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        WebhooksErrorCode.TargetRefused,
        `Webhook URL refused: ${reason}`,
        { errors: [{ field: 'url', message: reason }] },
      );
    }
  }
}
