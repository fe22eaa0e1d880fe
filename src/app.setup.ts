import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { jsonBodyParser } from './common/http/body-parsers';
import { requestIdMiddleware } from './common/http/request-id.middleware';
import { httpMetricsMiddleware } from './common/metrics/http-metrics';
import { createValidationPipe } from './common/validation/validation.pipe';
import type { AppConfigService } from './config/configuration';
import { ConfigService } from '@nestjs/config';
import { setupSwagger } from './openapi/swagger';

/**
 * Everything about the HTTP application that is not a module: the order of Express middleware,
 * the global pipe, Swagger. main.ts and the e2e tests both call it, so tests see the real app.
 */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get<AppConfigService>(ConfigService);
  const http = config.getOrThrow('http', { infer: true });

  app.useLogger(app.get(Logger));
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.disable('x-powered-by');
  app.use(requestIdMiddleware);
  app.use(httpMetricsMiddleware);
  app.use(helmet({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }));
  if (http.corsOrigins.length > 0) {
    app.enableCors({
      origin: http.corsOrigins.includes('*') ? true : http.corsOrigins,
      credentials: !http.corsOrigins.includes('*'),
      exposedHeaders: ['X-Request-ID', 'Retry-After'],
    });
  }
  app.use(jsonBodyParser(http.bodyLimitBytes));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  setupSwagger(app);
  return app;
}
