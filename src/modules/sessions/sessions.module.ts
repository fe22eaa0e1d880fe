import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from 'src/modules/users/users.module';
import { EventEntity } from './entities/event.entity';
import { SessionEntity } from './entities/session.entity';
import { WorkspaceStreamEntity } from './entities/workspace-stream.entity';
import { EventsService } from './events.service';
import { IngestWriter } from './ingest/ingest-writer';
import { IngestRepository } from './ingest/ingest.repository';
import { SessionsController } from './sessions.controller';
import { SessionsEvents } from './sessions.events';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { SessionUploadController } from './upload/session-upload.controller';
import { SessionUploadService } from './upload/session-upload.service';

@Module({
  imports: [TypeOrmModule.forFeature([SessionEntity, EventEntity, WorkspaceStreamEntity]), UsersModule],
  controllers: [SessionsController, SessionUploadController],
  providers: [
    SessionsRepository,
    IngestRepository,
    IngestWriter,
    SessionsEvents,
    SessionsService,
    EventsService,
    SessionUploadService,
  ],
  exports: [SessionsService, EventsService, SessionsEvents, SessionsRepository],
})
export class SessionsModule {}
