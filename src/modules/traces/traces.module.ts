import { Module } from '@nestjs/common';
import { SessionsModule } from 'src/modules/sessions/sessions.module';
import { ArtifactsModule } from './artifacts/artifacts.module';
import { TracesController } from './traces.controller';

@Module({
  imports: [SessionsModule, ArtifactsModule],
  controllers: [TracesController],
})
export class TracesModule {}
