import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfigService } from 'src/config/configuration';
import { SessionsModule } from 'src/modules/sessions/sessions.module';
import { ARTIFACT_LIMITS, type ArtifactLimits } from './artifacts.constants';
import { ArtifactsController } from './artifacts.controller';
import { ArtifactsRepository } from './artifacts.repository';
import { ArtifactsService } from './artifacts.service';
import { ArtifactEntity } from './entities/artifact.entity';

/** Artifacts of the trace API; part of the traces module (imported by TracesModule). */
@Module({
  imports: [TypeOrmModule.forFeature([ArtifactEntity]), SessionsModule],
  controllers: [ArtifactsController],
  providers: [
    {
      provide: ARTIFACT_LIMITS,
      useFactory: (config: AppConfigService): ArtifactLimits => config.getOrThrow('artifacts', { infer: true }),
      inject: [ConfigService],
    },
    ArtifactsRepository,
    ArtifactsService,
  ],
})
export class ArtifactsModule {}
