import type { CatalogReader } from 'src/modules/catalog/catalog-reader';
import type { SessionEntity } from 'src/modules/sessions/entities/session.entity';
import { AnalysisCatalog } from './analysis-catalog';

const schema = (required: string) => ({ type: 'object', required: [required] });

/** A catalog with one suite (action `book_table`), two catalog tools and one agent at versions 1 and 2. */
function fakeReader(): CatalogReader {
  const agent = (version: number, allowed: string[]) => ({
    id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    key: 'agent.concierge',
    version,
    toolPolicy: { allowedTools: allowed },
  });
  return {
    getSuiteActions: (_ws: string, suiteId: string) =>
      Promise.resolve(
        suiteId === 'suite-1' ? [{ name: 'book_table', description: null, parametersSchema: schema('date') }] : null,
      ),
    getToolSchemas: (_ws: string, suiteId?: string) =>
      Promise.resolve(
        new Map([
          ...(suiteId ? [['book_table', schema('date')] as const] : []),
          ['web_search', schema('q')] as const,
          ['python_exec', schema('code')] as const,
        ]),
      ),
    resolveAgent: (_ws: string, key: string, version?: number) => {
      if (key !== 'agent.concierge') return Promise.resolve(null);
      if (version === 1) return Promise.resolve(agent(1, ['tool.web_search', 'tool.python_exec']));
      return Promise.resolve(version === undefined ? agent(2, ['tool.web_search']) : null);
    },
  } as unknown as CatalogReader;
}

const session = (over: Partial<SessionEntity>) =>
  ({ workspaceId: 'ws', suiteId: null, agentName: 'support-agent', agentVersion: null, ...over }) as SessionEntity;

describe('AnalysisCatalog', () => {
  const catalog = new AnalysisCatalog(fakeReader());

  it("gives the agent's policy (tool keys as call names, plus the suite's actions) and the suite's tools", async () => {
    const context = await catalog.forSession(session({ agentName: 'concierge', suiteId: 'suite-1' }));
    expect(context.agent.toolPolicy).toEqual(['web_search', 'book_table']);
    expect(context.catalog.toolNames).toEqual(['book_table', 'web_search', 'python_exec']);
    expect(Object.keys(context.catalog.toolSchemas)).toEqual(['book_table', 'web_search', 'python_exec']);
  });

  it('reads the version the session names when it is a registry version, else the current one', async () => {
    expect(
      (await catalog.forSession(session({ agentName: 'agent.concierge', agentVersion: '1' }))).agent.toolPolicy,
    ).toEqual(['web_search', 'python_exec']);
    expect((await catalog.forSession(session({ agentName: 'concierge', agentVersion: '7' }))).agent.toolPolicy).toEqual(
      ['web_search'],
    );
    expect(
      (await catalog.forSession(session({ agentName: 'concierge', agentVersion: '1.2.0' }))).agent.toolPolicy,
    ).toEqual(['web_search']);
  });

  it('knows no policy for an unknown agent and no tool list without a known suite, but still the schemas', async () => {
    const context = await catalog.forSession(session({ suiteId: 'unknown-suite' }));
    expect(context.agent.toolPolicy).toBeNull();
    expect(context.catalog.toolNames).toBeNull();
    expect(Object.keys(context.catalog.toolSchemas)).toEqual(['web_search', 'python_exec']);
  });
});
