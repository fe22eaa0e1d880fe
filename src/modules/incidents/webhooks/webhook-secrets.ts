import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { openSecret, type SealedSecret, sealSecret } from 'src/modules/modelops/credentials/envelope';
import { KekRing } from 'src/modules/modelops/credentials/key-ring';
import type { WebhookEntity } from './entities/webhook.entity';
import { WebhooksErrorCode, WebhooksException } from './webhooks.exception';

/**
 * Signing secrets at rest, with the envelope encryption of ModelOps credentials (AES-256-GCM
 * under a random data key wrapped by the configured key-encryption key). The associated data is
 * `webhook:<id>`: a secret cannot be moved to another webhook, nor passed off as a credential.
 */
@Injectable()
export class WebhookSecrets {
  private readonly logger = new Logger(WebhookSecrets.name);

  constructor(private readonly keks: KekRing) {}

  async seal(webhookId: string, secret: string): Promise<SealedSecret> {
    return sealSecret(secret, boundId(webhookId), await this.keks.current());
  }

  /** The secret, for signing only: never log it or return it. */
  async open(webhook: Pick<WebhookEntity, 'id' | 'kekVersion' | 'secretCiphertext' | 'wrappedDataKey'>) {
    const keks = await this.keks.candidates(webhook.kekVersion);
    try {
      return openSecret(webhook, boundId(webhook.id), keks);
    } catch {
      this.logger.error(`Webhook ${webhook.id}: the signing secret cannot be decrypted (KEK ${webhook.kekVersion})`);
      throw new WebhooksException(
        HttpStatus.INTERNAL_SERVER_ERROR,
        WebhooksErrorCode.SecretUndecryptable,
        `The signing secret of webhook ${webhook.id} cannot be decrypted with the configured keys; rotate it`,
      );
    }
  }
}

const boundId = (webhookId: string) => `webhook:${webhookId}`;
