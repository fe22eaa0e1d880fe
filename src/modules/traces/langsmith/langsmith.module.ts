import { Module } from '@nestjs/common';
import { RunsModule } from 'src/modules/traces/runs/runs.module';
import { LangsmithFeedbackController } from './langsmith-feedback.controller';
import { LangsmithFeedbackService } from './langsmith-feedback.service';
import { LangsmithInfoController } from './langsmith-info.controller';
import { LangsmithRunsController } from './langsmith-runs.controller';
import { LangsmithRunsService } from './langsmith-runs.service';

/** The LangSmith-compatible API under /api/v1 (info, runs, batch, multipart, feedback). */
@Module({
  imports: [RunsModule],
  controllers: [LangsmithInfoController, LangsmithRunsController, LangsmithFeedbackController],
  providers: [LangsmithRunsService, LangsmithFeedbackService],
})
export class LangsmithModule {}
