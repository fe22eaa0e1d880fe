import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionsModule } from 'src/modules/sessions/sessions.module';
import { UsersModule } from 'src/modules/users/users.module';
import { RunFeedbackEntity } from './entities/run-feedback.entity';
import { RunPendingPatchEntity } from './entities/run-pending-patch.entity';
import { RunEntity } from './entities/run.entity';
import { RunEventsAppender } from './run-events.appender';
import { RunFeedbackRepository } from './run-feedback.repository';
import { RunFeedbackService } from './run-feedback.service';
import { RunPatchesWriter } from './run-patches.writer';
import { RunProjectResolver } from './run-project.resolver';
import { RunsIngestService } from './runs-ingest.service';
import { RunsRepository } from './runs.repository';

/**
 * Runs (LangSmith-style spans) and their ingestion, shared by the LangSmith-compatible API and
 * OTLP: import this module and inject `RunsIngestService`. No routes of its own.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([RunEntity, RunPendingPatchEntity, RunFeedbackEntity]),
    SessionsModule,
    UsersModule,
  ],
  providers: [
    RunsRepository,
    RunFeedbackRepository,
    RunProjectResolver,
    RunEventsAppender,
    RunPatchesWriter,
    RunsIngestService,
    RunFeedbackService,
  ],
  exports: [RunsIngestService, RunFeedbackService, RunsRepository],
})
export class RunsModule {}
