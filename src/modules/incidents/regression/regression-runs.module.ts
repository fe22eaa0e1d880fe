import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from 'src/modules/users/users.module';
import { QueueModule } from 'src/queue/queue.module';
import { QueueName } from 'src/queue/queue.constants';
import { processorProviders } from 'src/queue/queue-role';
import { IncidentsModule } from '../incidents.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { RegressionRunEntity } from './entities/regression-run.entity';
import { RegressionRunner } from './regression-runner';
import { RegressionRunsController } from './regression-runs.controller';
import { RegressionRunsProcessor } from './regression-runs.processor';
import { RegressionRunsRepository } from './regression-runs.repository';
import { RegressionRunsService } from './regression-runs.service';

/**
 * Regression runs (`/api/incidents/{id}/regression-runs`): an incident's rate among the sessions
 * of the agent versions that produced it against a newer version, counted by a job on the
 * `regressions` queue, stored, audit-logged and announced (`regression.finished` webhook).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([RegressionRunEntity]),
    QueueModule.registerQueues(QueueName.Regressions),
    IncidentsModule,
    WebhooksModule,
    UsersModule,
  ],
  controllers: [RegressionRunsController],
  providers: [
    RegressionRunsRepository,
    RegressionRunsService,
    RegressionRunner,
    ...processorProviders(RegressionRunsProcessor),
  ],
})
export class RegressionRunsModule {}
