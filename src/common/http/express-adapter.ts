import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';

/**
 * Nest's Express adapter, with the HTTP server creating requests and responses that already have
 * the prototypes Express gives them.
 *
 * Express re-parents every request and response (`Object.setPrototypeOf(req, app.request)`).
 * V8 gives a re-parented object a private hidden class that no other object shares, so each
 * property added later (by Express, the router, passport, pino-http: about 25 a request) makes a
 * new hidden class and copies its descriptors, 2-3 KB each time. Those live as long as the
 * request and, on a busy ingest path, are promoted and die in the old generation: measured with a
 * sampling heap profile on the ingest benchmark, they were most of what full collections reclaim,
 * and each full collection stalled every request in flight. Born with the right prototype, the
 * objects share hidden classes like any others, and Express's re-parenting is a no-op.
 */
export class FlightdeckExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    if (options.httpsOptions || options.return503OnClosing || options.forceCloseConnections) {
      super.initHttpServer(options);
      return;
    }
    const app = this.getInstance<Express>();
    this.httpServer = createServer(
      {
        IncomingMessage: bornAs(app, 'request', IncomingMessage),
        ServerResponse: bornAs(app, 'response', ServerResponse),
      },
      app,
    );
  }
}

/**
 * A subclass of node:http's class whose prototype becomes Express's `app.request` (or
 * `app.response`), inheriting the one it replaces. A subclass, not a function with Express's
 * object as `prototype`: V8 sizes a subclass's instances from the whole constructor chain and
 * keeps its hidden class; a wrapper function would get a few in-object slots, and the request's
 * symbol-keyed properties would then turn it into a slow dictionary object.
 */
function bornAs<T extends typeof IncomingMessage | typeof ServerResponse>(
  app: Express,
  part: 'request' | 'response',
  base: T,
): T {
  const Born = class extends (base as typeof IncomingMessage) {};
  Object.setPrototypeOf(Born.prototype, app[part]);
  (app as unknown as Record<typeof part, object>)[part] = Born.prototype;
  return Born as unknown as T;
}
