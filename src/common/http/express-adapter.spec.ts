import { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express, Request, Response } from 'express';
import { FlightdeckExpressAdapter } from './express-adapter';

describe('FlightdeckExpressAdapter', () => {
  let server: Server;
  let app: Express;
  let seen: { request: object | null; response: object | null; isRequest: boolean; isResponse: boolean };

  beforeAll(async () => {
    const adapter = new FlightdeckExpressAdapter();
    adapter.initHttpServer({});
    app = adapter.getInstance<Express>();
    // Taken before Express re-parents anything: the prototypes it was born with.
    adapter.getHttpServer().prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      seen = {
        request: Object.getPrototypeOf(req) as object,
        response: Object.getPrototypeOf(res) as object,
        isRequest: req instanceof IncomingMessage,
        isResponse: res instanceof ServerResponse,
      };
    });
    app.get('/echo', (req: Request, res: Response) => {
      res.status(201).json({ path: req.path, host: req.hostname, same: req.app === app });
    });
    server = adapter.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('creates requests and responses that already have the prototypes Express gives them', async () => {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/echo?x=1`);

    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ path: '/echo', host: '127.0.0.1', same: true });
    expect(seen.request).toBe(app.request);
    expect(seen.response).toBe(app.response);
    expect(seen.isRequest).toBe(true);
    expect(seen.isResponse).toBe(true);
  });
});
