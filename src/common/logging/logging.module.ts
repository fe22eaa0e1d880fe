import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { AllConfig } from 'src/config/configuration';
import { redactUrl, SECRET_LOG_PATHS } from './redaction';

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AllConfig, true>) => ({
        pinoHttp: {
          level: config.getOrThrow('app', { infer: true }).logLevel,
          // The request-id middleware ran first; reuse its id so logs and answers agree.
          genReqId: (req: IncomingMessage) => req.id ?? '',
          redact: { paths: SECRET_LOG_PATHS, censor: '[Redacted]' },
          // Log no headers at all: credentials travel in them. Only what identifies the call.
          serializers: {
            req: (req: IncomingMessage & { id?: unknown }) => ({
              id: req.id,
              method: req.method,
              url: redactUrl(req.url),
            }),
            res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
          },
          customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
          autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/health/ready' },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
