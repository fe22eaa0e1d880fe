import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { LoggingModule } from './common/logging/logging.module';
import { ThrottlingModule } from './common/throttling/throttling.module';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { AuthModule } from './modules/auth/auth.module';
import { CatalogModule } from './modules/catalog/catalog.module';
import { IncidentsModule } from './modules/incidents/incidents.module';
import { ExamplesModule } from './modules/examples/examples.module';
import { WebhooksModule } from './modules/incidents/webhooks/webhooks.module';
import { FixAgentModule } from './modules/incidents/fix-agent/fix-agent.module';
import { RegressionRunsModule } from './modules/incidents/regression/regression-runs.module';
import { ModelOpsModule } from './modules/modelops/modelops.module';
import { PlatformControlModule } from './modules/platform-control/platform-control.module';
import { SessionsModule } from './modules/sessions/sessions.module';
import { TracesModule } from './modules/traces/traces.module';
import { UsersModule } from './modules/users/users.module';
import { QueueModule } from './queue/queue.module';
import { ObjectDeletionsModule } from './storage/deletions/object-deletions.module';
import { StorageModule } from './storage/storage.module';

@Module({
  imports: [
    AppConfigModule,
    LoggingModule,
    DatabaseModule,
    QueueModule.forRoot(),
    StorageModule,
    ObjectDeletionsModule,
    ThrottlingModule,
    AuthModule.forRoot(UsersModule),
    UsersModule,
    CatalogModule,
    SessionsModule,
    TracesModule,
    ModelOpsModule,
    PlatformControlModule,
    IncidentsModule,
    ExamplesModule,
    // Webhooks belong to incidents (DESIGN.md) but listen to examples too: a module beside it.
    WebhooksModule,
    FixAgentModule,
    RegressionRunsModule,
    HealthModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
})
export class AppModule {}
