import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from 'src/config/configuration';
import { RunsModule } from 'src/modules/traces/runs/runs.module';
import { protobufBodyParser } from './otlp-body-parser';
import { OtlpController } from './otlp.controller';
import { OtlpService } from './otlp.service';

/**
 * OTLP/HTTP trace ingestion (part of the traces module; imported by TracesModule). The
 * protobuf body parser is route middleware of this module's routes only; JSON bodies come from
 * the global parser.
 */
@Module({
  imports: [RunsModule],
  controllers: [OtlpController],
  providers: [OtlpService],
})
export class OtlpModule implements NestModule {
  constructor(private readonly config: ConfigService<AllConfig, true>) {}

  configure(consumer: MiddlewareConsumer): void {
    const { bodyLimitBytes } = this.config.getOrThrow('http', { infer: true });
    consumer.apply(protobufBodyParser(bodyLimitBytes)).forRoutes(OtlpController);
  }
}
