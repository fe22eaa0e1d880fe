import request from 'supertest';
import { BUILT_IN_EVENT_TYPES } from 'src/modules/sessions/events/event-types';
import { listRoutes } from 'test/fixtures/routes';
import { createTestApp, TestApp, useTestEnvironment } from 'test/setup/test-app';

useTestEnvironment();

type Operation = { operationId?: string; security?: unknown[]; responses: Record<string, unknown>; tags?: string[] };

describe('OpenAPI document', () => {
  let t: TestApp;
  let document: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
  beforeAll(async () => {
    t = await createTestApp();
    document = (await request(t.http).get('/docs-json').expect(200)).body;
  });
  afterAll(() => t.close());

  const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, '{$1}');

  it('documents every route with an operationId named after its handler', () => {
    const missing = listRoutes(t.app)
      .filter((r) => !r.path.startsWith('/storage/local'))
      .filter((r) => !document.paths[toOpenApiPath(r.path)]?.[r.method.toLowerCase()]?.operationId);
    expect(missing).toEqual([]);
    const ids = Object.values(document.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares security and the 401/403 problems on every authenticated route', () => {
    const wrong = listRoutes(t.app)
      .filter((r) => !r.isPublic)
      .filter((r) => {
        const op = document.paths[toOpenApiPath(r.path)]?.[r.method.toLowerCase()];
        return !op?.security?.length || !op.responses['401'] || !op.responses['403'];
      })
      .map((r) => `${r.method} ${r.path}`);
    expect(wrong).toEqual([]);
  });

  it('publishes the payload schema of every event type', () => {
    for (const type of BUILT_IN_EVENT_TYPES) {
      expect(document.components.schemas[`EventPayload_${type}`]).toMatchObject({ type: 'object' });
    }
    expect(document.components.schemas.EventPayload_custom).toBeDefined();
    expect(document.components.schemas.ProblemDto).toBeDefined();
  });
});
