import { CatalogException } from '../catalog.exception';
import { parseToolsList } from './tools-list.parser';

/** A `ListToolsResult` exactly as the official TypeScript SDK's `client.listTools()` returns it. */
const sdkResult = {
  tools: [
    {
      name: 'get_weather',
      title: 'Weather',
      description: 'Current weather for a city',
      inputSchema: {
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
        additionalProperties: false,
        $schema: 'http://json-schema.org/draft-07/schema#',
      },
      outputSchema: {
        type: 'object',
        properties: { temperature: { type: 'number' } },
        required: ['temperature'],
      },
      annotations: { title: 'Weather', readOnlyHint: true, openWorldHint: true },
      icons: [{ src: 'https://example.test/sun.png' }],
      _meta: { 'example.test/x': 1 },
    },
    { name: 'ping', inputSchema: { type: 'object' } },
  ],
  nextCursor: 'page-2',
  _meta: {},
};

function refusal(body: unknown): CatalogException {
  try {
    parseToolsList(body);
  } catch (err) {
    if (err instanceof CatalogException) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('parseToolsList', () => {
  it('reads an SDK ListToolsResult, keeping what is stored and dropping extra fields', () => {
    const parsed = parseToolsList(sdkResult);
    expect(parsed.nextCursor).toBe('page-2');
    expect(parsed.tools).toEqual([
      {
        name: 'get_weather',
        title: 'Weather',
        description: 'Current weather for a city',
        inputSchema: sdkResult.tools[0].inputSchema,
        outputSchema: sdkResult.tools[0].outputSchema,
        annotations: { title: 'Weather', readOnlyHint: true, openWorldHint: true },
      },
      {
        name: 'ping',
        title: null,
        description: null,
        inputSchema: { type: 'object' },
        outputSchema: null,
        annotations: {},
      },
    ]);
  });

  it('reads the same result inside a JSON-RPC response envelope', () => {
    const parsed = parseToolsList({ jsonrpc: '2.0', id: 7, result: { tools: sdkResult.tools } });
    expect(parsed.tools.map((t) => t.name)).toEqual(['get_weather', 'ping']);
    expect(parsed.nextCursor).toBeNull();
  });

  it('refuses a JSON-RPC error response, quoting it', () => {
    const e = refusal({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } });
    expect(e.getStatus()).toBe(422);
    expect(e.code).toBe('invalid_tools_list');
    expect(e.message).toContain('-32601: Method not found');
  });

  it('names every bad tool field by its path in the payload as sent', () => {
    const e = refusal({
      jsonrpc: '2.0',
      id: 1,
      result: {
        tools: [
          { name: 'has space', inputSchema: { type: 'object' } },
          { name: 'no_schema' },
          { name: 'bad_schema', inputSchema: { type: 'object', properties: { a: { type: 'nope' } } } },
          { name: 'string_root', inputSchema: { type: 'string' }, annotations: [] },
          'not a tool',
        ],
      },
    });
    const fields = (e.extras.errors as { field: string }[]).map((x) => x.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'result.tools.0.name',
        'result.tools.1.inputSchema',
        'result.tools.2.inputSchema.properties.a.type',
        'result.tools.3.inputSchema.type',
        'result.tools.3.annotations',
        'result.tools.4',
      ]),
    );
  });

  it('refuses duplicate names and a payload that is not a tools/list result', () => {
    const dup = refusal({ tools: [sdkResult.tools[1], sdkResult.tools[1]] });
    expect(dup.extras.errors).toEqual([{ field: 'tools.1.name', message: 'duplicates tools.0.name (ping)' }]);
    expect(refusal({ items: [] }).extras.errors).toEqual([{ field: 'tools', message: 'must be an array of tools' }]);
    expect(refusal([sdkResult]).extras.errors).toEqual([
      { field: '', message: 'must be a JSON object (a tools/list result)' },
    ]);
    expect(refusal({ jsonrpc: '2.0', id: 1 }).extras.errors).toEqual([
      { field: 'result', message: 'must be the tools/list result object' },
    ]);
  });

  it('accepts an empty list', () => {
    expect(parseToolsList({ tools: [] })).toEqual({ tools: [], nextCursor: null });
  });
});
