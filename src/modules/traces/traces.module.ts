import { Module } from '@nestjs/common';
import { SessionsModule } from 'src/modules/sessions/sessions.module';
import { ArtifactsModule } from './artifacts/artifacts.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { LangsmithModule } from './langsmith/langsmith.module';
import { OtlpModule } from './otlp/otlp.module';
import { RunsModule } from './runs/runs.module';
import { StreamModule } from './stream/stream.module';
import { TracesController } from './traces.controller';

@Module({
  imports: [SessionsModule, ArtifactsModule, StreamModule, RunsModule, LangsmithModule, DashboardModule, OtlpModule],
  controllers: [TracesController],
})
export class TracesModule {}
