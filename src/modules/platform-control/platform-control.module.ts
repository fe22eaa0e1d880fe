import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ModelOpsModule } from 'src/modules/modelops/modelops.module';
import { UsersModule } from 'src/modules/users/users.module';
import { ActivationAuditRepository } from './activation-audit.repository';
import { ActivationService } from './activation.service';
import { OpenAiCompatibleAdapter } from './adapters/openai-compatible.adapter';
import { PgvectorAdapter } from './adapters/pgvector.adapter';
import { ProviderHttpClient } from './adapters/provider-http.client';
import { QdrantAdapter } from './adapters/qdrant.adapter';
import { ReadinessAdapter } from './adapters/readiness.adapter';
import { VectorStoreRegistry } from './adapters/vector-store.registry';
import { WeaviateAdapter } from './adapters/weaviate.adapter';
import { BindingRulesService } from './binding-rules.service';
import { CapabilitiesController } from './capabilities.controller';
import { DataPlaneController } from './data-plane.controller';
import { DataPlaneService } from './data-plane.service';
import { DeploymentsController } from './deployments.controller';
import { DeploymentsRepository } from './deployments.repository';
import { DeploymentsService } from './deployments.service';
import { ActivationAuditEntity } from './entities/activation-audit.entity';
import { DeploymentBindingEntity } from './entities/deployment-binding.entity';
import { DeploymentEntity } from './entities/deployment.entity';
import { ProviderFamilyEntity } from './entities/provider-family.entity';
import { ProviderEntity } from './entities/provider.entity';
import { RuntimeProfileEntity } from './entities/runtime-profile.entity';
import { VectorDocumentEntity } from './entities/vector-document.entity';
import { VectorIndexEntity } from './entities/vector-index.entity';
import { InferenceController } from './inference.controller';
import { InferenceService } from './inference.service';
import { ModelOpsPort } from './modelops.port';
import { PlatformControlHooks } from './platform-control.hooks';
import { PlatformRuntimeService } from './platform-runtime.service';
import { PreflightService } from './preflight.service';
import { ProviderChecksService } from './provider-checks.service';
import { ProviderValidationService } from './provider-validation.service';
import { ProvidersController } from './providers.controller';
import { ProvidersRepository } from './providers.repository';
import { ProvidersService } from './providers.service';
import { RuntimeProfileController } from './runtime-profile.controller';
import { RuntimeProfileRepository } from './runtime-profile.repository';
import { RuntimeProfileService } from './runtime-profile.service';
import { PlatformRuntimeResolver } from './runtime-resolver';
import { VectorDocumentsRepository } from './vector-documents.repository';

/**
 * The platform control plane: which infrastructure powers each capability (provider families
 * and instances, deployment profiles, activation with preflight, the runtime profile), and the
 * runtime path through it (resolver, adapters, data-plane proofs, `/v1/models` inference).
 * Upper modules (incidents, examples) call PlatformRuntimeResolver / PlatformRuntimeService.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      ProviderFamilyEntity,
      ProviderEntity,
      DeploymentEntity,
      DeploymentBindingEntity,
      RuntimeProfileEntity,
      ActivationAuditEntity,
      VectorIndexEntity,
      VectorDocumentEntity,
    ]),
    UsersModule,
    ModelOpsModule,
  ],
  controllers: [
    CapabilitiesController,
    ProvidersController,
    DeploymentsController,
    RuntimeProfileController,
    DataPlaneController,
    InferenceController,
  ],
  providers: [
    ModelOpsPort,
    ProvidersRepository,
    DeploymentsRepository,
    RuntimeProfileRepository,
    ActivationAuditRepository,
    VectorDocumentsRepository,
    ProviderHttpClient,
    OpenAiCompatibleAdapter,
    QdrantAdapter,
    WeaviateAdapter,
    PgvectorAdapter,
    ReadinessAdapter,
    VectorStoreRegistry,
    ProviderChecksService,
    PreflightService,
    BindingRulesService,
    ProvidersService,
    ProviderValidationService,
    DeploymentsService,
    ActivationService,
    RuntimeProfileService,
    PlatformRuntimeResolver,
    PlatformRuntimeService,
    DataPlaneService,
    InferenceService,
    PlatformControlHooks,
  ],
  exports: [PlatformRuntimeResolver, PlatformRuntimeService, OpenAiCompatibleAdapter, VectorStoreRegistry],
})
export class PlatformControlModule {}
