import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventEntity } from 'src/modules/sessions/entities/event.entity';
import { WorkspaceStreamEntity } from 'src/modules/sessions/entities/workspace-stream.entity';
import { SessionsModule } from 'src/modules/sessions/sessions.module';
import { UsersModule } from 'src/modules/users/users.module';
import { StreamController } from './stream.controller';
import { StreamFanout } from './stream-fanout';
import { StreamRepository } from './stream.repository';
import { StreamService } from './stream.service';

/** `GET /api/stream`: the live SSE stream, fanned out across processes through Redis pub/sub. */
@Module({
  imports: [TypeOrmModule.forFeature([EventEntity, WorkspaceStreamEntity]), SessionsModule, UsersModule],
  controllers: [StreamController],
  providers: [StreamRepository, StreamFanout, StreamService],
  exports: [StreamService],
})
export class StreamModule {}
