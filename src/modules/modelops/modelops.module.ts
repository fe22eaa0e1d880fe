/**
 * ModelOps: managed models and their lifecycle, validations and tests, encrypted credentials,
 * the model catalog, sharing, hub discovery and downloads. Routes: `/v1/modelops/*`.
 *
 * What the layers above (platform-control, then incidents and examples) may use — import
 * `ModelOpsModule` and inject:
 *
 * - `ModelsService`
 *   - `assertBindable(modelIds): Promise<ManagedModel[]>` — the models in the order asked when
 *     each is active with a current successful validation; otherwise 422 `unknown_models`
 *     (`model_ids`) or 409 `model_not_bindable` (`models`: id, name, lifecycle_state,
 *     is_validation_current, last_validation_status). Call it before saving a deployment binding.
 *   - `isBindable(modelId): Promise<boolean>` — the same rule for one model.
 *   - `getMany(ids): Promise<ManagedModel[]>` — the models that exist (missing or deleted left out).
 *   - `canUse(principal, modelId): Promise<boolean>` — superadmin, or active and shared with the
 *     caller's workspace and role (`/v1/modelops/sharing`).
 *   - `getManagedModel(id): Promise<ManagedModel>` — 404 when missing or deleted. Cloud models
 *     carry `base_url`, `provider_model_id`, `credential_id`; local ones `download_id`, `source_id`,
 *     `source_commit`.
 * - `CredentialsService`
 *   - `resolveSecret(credentialId): Promise<string>` and `resolveSecretRef('modelops://credential/<id>')`
 *     — the decrypted secret, for an outbound call only (never log or return it). 404 for an
 *     unknown credential, 500 `credential_undecryptable` when no configured KEK unwraps it.
 * - `ModelReferenceRegistry.register(async (modelId) => string[])` — at `onModuleInit`, report
 *   which deployment bindings use a model (e.g. `deployment "prod" llm_inference`). A model with
 *   any reference cannot be deactivated, unregistered or deleted (409 `model_in_use`, `bindings`).
 * - `CredentialReferenceRegistry.register(async (credentialId) => string[])` — the same for
 *   credentials referenced by secret refs; a referenced credential cannot be deleted.
 * - `EgressGate.setPolicy((kind: 'hub' | 'cloud_provider') => void | Promise<void>)` — at init,
 *   install the runtime-profile policy (throw 409 `offline_provider_blocked` when offline).
 *   ModelOps asks `assert('hub')` before every hub request and `assert('cloud_provider')` before
 *   every cloud validation or test call. Nothing installed: everything is allowed.
 * - `ModelRuntimeRegistry.register(async (model) => ModelRuntimeTarget[])` — the local runtimes
 *   (provider instances and their loaded-model slots) a local model can be tested on; backs
 *   `GET /v1/modelops/models/{id}/test-runtimes` and local `POST .../test`.
 * - `ModelUsageService.recordUsage(modelId, { input_tokens, output_tokens, latency_ms }, { workspaceId? })`
 *   — the inference path records each model call; `GET .../usage` reads them.
 * - `KekRing` — the key-encryption keys, for other modules that envelope-encrypt their own
 *   secrets with `credentials/envelope.ts` (`sealSecret`/`openSecret`; webhooks' signing secrets).
 * - `SealedKeyStores.register({ kind, idsAfter, lockWrappedKey, saveWrappedKey, boundId })` — such
 *   a module's table of sealed secrets, so that `rotate-kek` rewraps its data keys too.
 * - `OutboundHttp` — fetch with timeouts that refuses private/loopback targets unless
 *   OUTBOUND_ALLOW_PRIVATE (or `allowPrivate` for admin-configured local runtimes).
 *
 * Key rotation: `npm run flightdeck -- rotate-kek` (`KeyRotationService.rotateAll`).
 */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from 'src/modules/users/users.module';
import { QueueModule } from 'src/queue/queue.module';
import { QueueName } from 'src/queue/queue.constants';
import { processorProviders } from 'src/queue/queue-role';
import { ModelCatalogController } from './catalog/catalog.controller';
import { CatalogRepository } from './catalog/catalog.repository';
import { CatalogService } from './catalog/catalog.service';
import { CatalogItemEntity } from './catalog/entities/catalog-item.entity';
import { CredentialsController } from './credentials/credentials.controller';
import { CredentialsRepository } from './credentials/credentials.repository';
import { CredentialsService } from './credentials/credentials.service';
import { CredentialEntity } from './credentials/entities/credential.entity';
import { KekRing } from './credentials/key-ring';
import { KeyRotationService } from './credentials/key-rotation.service';
import { SealedKeyStores } from './credentials/sealed-key-stores';
import { DownloadRunner } from './downloads/download-runner';
import { DownloadsController } from './downloads/downloads.controller';
import { DownloadsProcessor } from './downloads/downloads.processor';
import { DownloadsRepository } from './downloads/downloads.repository';
import { DownloadsService } from './downloads/downloads.service';
import { DownloadFileEntity } from './downloads/entities/download-file.entity';
import { DownloadEntity } from './downloads/entities/download.entity';
import { EgressGate } from './egress/egress-gate';
import { OutboundHttp } from './egress/outbound-http';
import { DiscoveryController } from './hub/discovery.controller';
import { DiscoveryService } from './hub/discovery.service';
import { HubClient } from './hub/hub-client';
import { ModelTestEntity } from './models/entities/model-test.entity';
import { ModelUsageEntity } from './models/entities/model-usage.entity';
import { ModelValidationEntity } from './models/entities/model-validation.entity';
import { ModelEntity } from './models/entities/model.entity';
import { ModelChecksService } from './models/model-checks.service';
import { ModelUsageRepository } from './models/model-usage.repository';
import { ModelUsageService } from './models/model-usage.service';
import { ModelValidators } from './models/model-validators';
import { ModelsController } from './models/models.controller';
import { ModelsRepository } from './models/models.repository';
import { ModelsService } from './models/models.service';
import { OpenAiCompatibleClient } from './providers/openai-compatible.client';
import { CredentialReferenceRegistry, ModelReferenceRegistry } from './references/model-reference.registry';
import { ModelRuntimeRegistry } from './runtimes/model-runtime.registry';
import { ModelGrantEntity } from './sharing/entities/model-grant.entity';
import { SharingController } from './sharing/sharing.controller';
import { SharingRepository } from './sharing/sharing.repository';
import { SharingService } from './sharing/sharing.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([
      ModelEntity,
      ModelValidationEntity,
      ModelTestEntity,
      ModelUsageEntity,
      CredentialEntity,
      CatalogItemEntity,
      ModelGrantEntity,
      DownloadEntity,
      DownloadFileEntity,
    ]),
    QueueModule.registerQueues(QueueName.ModelOps),
    UsersModule,
  ],
  controllers: [
    ModelsController,
    CredentialsController,
    ModelCatalogController,
    SharingController,
    DiscoveryController,
    DownloadsController,
  ],
  providers: [
    EgressGate,
    OutboundHttp,
    ModelReferenceRegistry,
    CredentialReferenceRegistry,
    ModelRuntimeRegistry,
    KekRing,
    SealedKeyStores,
    CredentialsRepository,
    CredentialsService,
    KeyRotationService,
    ModelsRepository,
    ModelsService,
    ModelChecksService,
    ModelValidators,
    ModelUsageRepository,
    ModelUsageService,
    OpenAiCompatibleClient,
    CatalogRepository,
    CatalogService,
    SharingRepository,
    SharingService,
    HubClient,
    DiscoveryService,
    DownloadsRepository,
    DownloadsService,
    DownloadRunner,
    ...processorProviders(DownloadsProcessor),
  ],
  exports: [
    ModelsService,
    CredentialsService,
    ModelReferenceRegistry,
    CredentialReferenceRegistry,
    ModelRuntimeRegistry,
    EgressGate,
    ModelUsageService,
    OutboundHttp,
    KeyRotationService,
    KekRing,
    SealedKeyStores,
  ],
})
export class ModelOpsModule {}
