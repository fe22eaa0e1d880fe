/**
 * Examples: training data built from sessions. `POST /v1/examples` queues a build of one
 * session for one ModelOps model; a job turns the session's events into OpenAI chat
 * fine-tuning records (JSONL in object storage); `GET /v1/examples/{id}/messages` streams them.
 *
 * For the layers above: inject `ExamplesEvents` and `onSettled(listener)` to hear of every example
 * that became ready or failed (the "example ready" webhook).
 */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogModule } from 'src/modules/catalog/catalog.module';
import { ModelOpsModule } from 'src/modules/modelops/modelops.module';
import { SessionsModule } from 'src/modules/sessions/sessions.module';
import { QueueModule } from 'src/queue/queue.module';
import { QueueName } from 'src/queue/queue.constants';
import { processorProviders } from 'src/queue/queue-role';
import { ExampleEntity } from './entities/example.entity';
import { ExampleBuilder } from './example-builder';
import { ExamplePiiPatterns } from './example-pii';
import { ExamplesController } from './examples.controller';
import { ExamplesEvents } from './examples.events';
import { ExamplesProcessor } from './examples.processor';
import { ExamplesRepository } from './examples.repository';
import { ExamplesService } from './examples.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([ExampleEntity]),
    QueueModule.registerQueues(QueueName.Examples),
    CatalogModule,
    SessionsModule,
    ModelOpsModule,
  ],
  controllers: [ExamplesController],
  providers: [
    ExamplesRepository,
    ExamplesService,
    ExampleBuilder,
    ExamplePiiPatterns,
    ExamplesEvents,
    ...processorProviders(ExamplesProcessor),
  ],
  exports: [ExamplesEvents],
})
export class ExamplesModule {}
