import { Module } from '@nestjs/common';
import { SessionsModule } from 'src/modules/sessions/sessions.module';
import { TracesController } from './traces.controller';

@Module({
  imports: [SessionsModule],
  controllers: [TracesController],
})
export class TracesModule {}
