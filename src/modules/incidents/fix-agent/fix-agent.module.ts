import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CatalogModule } from 'src/modules/catalog/catalog.module';
import { PlatformControlModule } from 'src/modules/platform-control/platform-control.module';
import { UsersModule } from 'src/modules/users/users.module';
import { IncidentsModule } from '../incidents.module';
import { FixProposalEntity } from './entities/fix-proposal.entity';
import { FixAgentController } from './fix-agent.controller';
import { FixAgentService } from './fix-agent.service';
import { FixEvidenceRepository } from './fix-evidence.repository';
import { FixProposalsRepository } from './fix-proposals.repository';
import { ModelPlanner } from './model-planner';

/**
 * The fix agent (`/api/incidents/{id}/fix-agent`): proposals of a plan and a unified diff against
 * the affected agent's catalog definition, from the platform runtime's llm_inference model or
 * the deterministic fallback of the incident's detector, and their explicit apply as a new
 * registry version.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([FixProposalEntity]),
    IncidentsModule,
    CatalogModule,
    PlatformControlModule,
    UsersModule,
  ],
  controllers: [FixAgentController],
  providers: [FixProposalsRepository, FixEvidenceRepository, ModelPlanner, FixAgentService],
})
export class FixAgentModule {}
