import { HttpStatus, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { openSecret, type SealedSecret, sealSecret } from 'src/modules/modelops/credentials/envelope';
import { KekRing } from 'src/modules/modelops/credentials/key-ring';
import { SealedKeyStores } from 'src/modules/modelops/credentials/sealed-key-stores';
import type { WebhookEntity } from './entities/webhook.entity';
import { WebhooksErrorCode, WebhooksException } from './webhooks.exception';
import { WebhooksRepository } from './webhooks.repository';

/**
 * Signing secrets at rest, with the envelope encryption of ModelOps credentials (AES-256-GCM
 * under a random data key wrapped by the configured key-encryption key). The associated data is
 * `webhook:<id>`: a secret cannot be moved to another webhook, nor passed off as a credential.
 */
@Injectable()
export class WebhookSecrets implements OnModuleInit {
  private readonly logger = new Logger(WebhookSecrets.name);

  constructor(
    private readonly keks: KekRing,
    private readonly stores: SealedKeyStores,
    private readonly webhooks: WebhooksRepository,
  ) {}

  /** `rotate-kek` rewraps the signing secrets' data keys along with the credentials'. */
  onModuleInit(): void {
    this.stores.register({
      kind: 'webhook',
      idsAfter: (after, limit) => this.webhooks.idsAfter(after, limit),
      lockWrappedKey: (id, manager) => this.webhooks.lockWrappedKey(id, manager),
      saveWrappedKey: (id, key, manager) => this.webhooks.saveWrappedKey(id, key, manager),
      boundId,
    });
  }

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
