import { Injectable } from '@nestjs/common';
import { AgentDefinition, CatalogReader } from 'src/modules/catalog/catalog-reader';
import type { SessionEntity } from 'src/modules/sessions/entities/session.entity';
import type { DetectorContext } from '../detectors/types';

export type CatalogContext = Pick<DetectorContext, 'agent' | 'catalog'>;

/** A catalog tool key (`tool.web_search`) as agents call it (`web_search`). */
const callName = (key: string) => (key.startsWith('tool.') ? key.slice('tool.'.length) : key);

/**
 * What the catalog says about a session, as plain data for the detectors:
 * - the tool policy of the session's agent, when the catalog knows the agent (by its name as a
 *   registry key or id, also with the `agent.` prefix; the version the session names when it is
 *   a registry version number, else the current one): its allowed catalog tools plus the actions
 *   of the session's suite (the suite is the run's own scope);
 * - the names of every tool callable in the session's suite (suite actions, catalog tools, MCP
 *   tools), when the session names a suite the workspace has;
 * - the input JSON Schema of every tool the workspace can call, for argument checks.
 * Unknown agent or suite: null, and the corresponding detector says nothing.
 */
@Injectable()
export class AnalysisCatalog {
  constructor(private readonly catalog: CatalogReader) {}

  async forSession(session: SessionEntity): Promise<CatalogContext> {
    const workspaceId = session.workspaceId;
    const suiteActions = session.suiteId ? await this.catalog.getSuiteActions(workspaceId, session.suiteId) : null;
    const suiteId = suiteActions ? (session.suiteId ?? undefined) : undefined;
    const schemas = await this.catalog.getToolSchemas(workspaceId, suiteId);
    const agent = await this.resolveAgent(session);
    return {
      agent: {
        toolPolicy: agent
          ? [...agent.toolPolicy.allowedTools.map(callName), ...(suiteActions ?? []).map((a) => a.name)]
          : null,
      },
      catalog: {
        toolNames: suiteActions ? [...schemas.keys()] : null,
        toolSchemas: Object.fromEntries(schemas),
      },
    };
  }

  private async resolveAgent(session: SessionEntity): Promise<AgentDefinition | null> {
    const version = /^[1-9]\d{0,8}$/.test(session.agentVersion ?? '') ? Number(session.agentVersion) : undefined;
    const names = session.agentName.startsWith('agent.')
      ? [session.agentName]
      : [session.agentName, `agent.${session.agentName}`];
    for (const name of names) {
      const agent =
        (version !== undefined ? await this.catalog.resolveAgent(session.workspaceId, name, version) : null) ??
        (await this.catalog.resolveAgent(session.workspaceId, name));
      if (agent) return agent;
    }
    return null;
  }
}
