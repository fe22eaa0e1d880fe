import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogModule } from 'src/modules/catalog/catalog.module';
import { SessionsModule } from 'src/modules/sessions/sessions.module';
import { UsersModule } from 'src/modules/users/users.module';
import { QueueModule } from 'src/queue/queue.module';
import { processorProviders } from 'src/queue/queue-role';
import { QueueName } from 'src/queue/queue.constants';
import { AnalysisCatalog } from './analysis/analysis-catalog';
import { AnalysisController } from './analysis/analysis.controller';
import { AnalysisProcessor } from './analysis/analysis.processor';
import { AnalysisRepository } from './analysis/analysis.repository';
import { AnalysisScheduler } from './analysis/analysis.scheduler';
import { AnalysisService } from './analysis/analysis.service';
import { AnalysisEntity } from './entities/analysis.entity';
import { IncidentSessionEntity } from './entities/incident-session.entity';
import { IncidentEntity } from './entities/incident.entity';
import { IncidentLinker } from './incident-linker';
import { IncidentsController } from './incidents.controller';
import { IncidentsEvents } from './incidents.events';
import { IncidentsRepository } from './incidents.repository';
import { IncidentsService } from './incidents.service';

/**
 * What went wrong in sessions and where it recurs: the deterministic detectors and the analyses
 * they store (`/api/traces/{id}/analy*`, automatic when a session ends), and incidents, the same
 * failure across sessions (`/api/incidents`). IncidentsEvents tells upper layers (webhooks) when an
 * incident opens, reopens or is resolved.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([AnalysisEntity, IncidentEntity, IncidentSessionEntity]),
    QueueModule.registerQueues(QueueName.Incidents),
    UsersModule,
    SessionsModule,
    CatalogModule,
  ],
  controllers: [AnalysisController, IncidentsController],
  providers: [
    AnalysisRepository,
    IncidentsRepository,
    IncidentLinker,
    IncidentsEvents,
    AnalysisCatalog,
    AnalysisService,
    AnalysisScheduler,
    IncidentsService,
    ...processorProviders(AnalysisProcessor),
  ],
  exports: [IncidentsEvents, IncidentsRepository, AnalysisService],
})
export class IncidentsModule {}
