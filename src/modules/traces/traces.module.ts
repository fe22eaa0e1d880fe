import { Module } from '@nestjs/common';
import { SessionsModule } from 'src/modules/sessions/sessions.module';
import { ArtifactsModule } from './artifacts/artifacts.module';
import { StreamModule } from './stream/stream.module';
import { TracesController } from './traces.controller';

@Module({
  imports: [SessionsModule, ArtifactsModule, StreamModule],
  controllers: [TracesController],
})
export class TracesModule {}
