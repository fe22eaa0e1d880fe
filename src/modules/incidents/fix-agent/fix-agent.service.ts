import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { decodeCursor, toPage } from 'src/common/pagination/cursor';
import type { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { assertProjectWritable, type Principal } from 'src/modules/auth/principal';
import { type AgentDefinition, CatalogReader } from 'src/modules/catalog/catalog-reader';
import { RegistryService } from 'src/modules/catalog/registry/registry.service';
import type { AgentSpec } from 'src/modules/catalog/registry/specs';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import type { IncidentEntity } from '../entities/incident.entity';
import { IncidentsRepository } from '../incidents.repository';
import { applyAgentDiff, diffAgentDocuments, parseAgentDocument, renderAgentDocument } from './agent-document';
import type { CreateFixProposalDto, FixProposalPageDto, FixProposalResponseDto } from './dto/fix-agent.dto';
import type { FixProposalEntity } from './entities/fix-proposal.entity';
import { fallbackDraft } from './fallback-plan';
import { FallbackReason, FIX_SAMPLE_SESSIONS, type FixDraft, type IncidentFacts } from './fix-agent.constants';
import { FixAgentErrorCode, FixAgentException } from './fix-agent.exception';
import { FixEvidenceRepository } from './fix-evidence.repository';
import { FixProposalsRepository } from './fix-proposals.repository';
import { ModelPlanner } from './model-planner';

/**
 * The fix agent: for an incident, a plan and a unified diff against the affected agent's catalog
 * definition — from the platform's llm_inference model when one is usable, else the labelled
 * deterministic plan of the incident's detector — stored as a proposal; and the explicit apply
 * that turns a proposal into the agent's next registry version.
 */
@Injectable()
export class FixAgentService {
  private readonly logger = new Logger(FixAgentService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly proposals: FixProposalsRepository,
    private readonly evidence: FixEvidenceRepository,
    private readonly catalog: CatalogReader,
    private readonly registry: RegistryService,
    private readonly planner: ModelPlanner,
    private readonly audit: AuditLogService,
  ) {}

  async propose(principal: Principal, incidentId: string, dto: CreateFixProposalDto): Promise<FixProposalResponseDto> {
    const incident = await this.writableIncident(principal, incidentId);
    const agentName = pickAgent(incident, dto.agent);
    const agent = await this.resolveAgent(principal.workspaceId, agentName);
    const current = specOf(agent);
    const facts: IncidentFacts = {
      id: incident.id,
      detector: incident.detector,
      label: incident.label,
      signature: incident.signature,
      title: incident.title,
    };
    const evidence = await this.evidence.forIncident(principal.workspaceId, incident, agentName, FIX_SAMPLE_SESSIONS);
    const outcome = await this.planner.propose({
      workspaceId: principal.workspaceId,
      incident: {
        detector: incident.detector,
        label: incident.label,
        signature: incident.signature,
        title: incident.title,
        sessions: incident.occurrenceCount,
        agent: agentName,
        versions: versionsOf(incident, agentName),
      },
      evidence,
      agent: { key: agent.key, version: agent.version, spec: current },
    });

    let draft: FixDraft | null = null;
    let reason: string | null = null;
    let reasonDetail: string | null = null;
    if (outcome.ok) {
      const problem = await this.checkDraft(principal.workspaceId, current, outcome.draft);
      if (problem) [reason, reasonDetail] = problem;
      else draft = outcome.draft;
    } else {
      [reason, reasonDetail] = [outcome.reason, outcome.detail];
    }
    const fallback = draft === null;
    const chosen = draft ?? fallbackDraft(facts, current);
    const row = await this.dataSource.transaction(async (manager) => {
      const saved = await this.proposals.insert(
        {
          workspaceId: principal.workspaceId,
          incidentId: incident.id,
          agentId: agent.id,
          agentKey: agent.key,
          baseVersion: agent.version,
          plan: chosen.plan,
          diff: diffAgentDocuments(agent.key, agent.version, current, chosen.spec),
          fallback,
          reason,
          reasonDetail,
          model: outcome.model,
          createdByUserId: principal.userId,
        },
        manager,
      );
      await this.audit.record(
        principal,
        {
          workspaceId: principal.workspaceId,
          action: 'fix_proposal.created',
          targetType: 'fix_proposal',
          targetId: saved.id,
          data: {
            incident_id: incident.id,
            agent_id: agent.id,
            base_version: agent.version,
            fallback,
            reason,
            model: outcome.model,
          },
        },
        manager,
      );
      return saved;
    });
    this.logger.log(
      `fix proposal ${row.id} for incident ${incident.id}: fallback=${fallback}${reason ? ` (${reason})` : ''}`,
    );
    return toProposalResponse(row);
  }

  async list(principal: Principal, incidentId: string, query: PageQueryDto): Promise<FixProposalPageDto> {
    await this.readableIncident(principal, incidentId);
    const before = query.cursor ? decodeCursor<{ t: string; id: string }>(query.cursor, ['t', 'id']) : undefined;
    const rows = await this.proposals.list(
      principal.workspaceId,
      incidentId,
      query.limit,
      before && { createdAt: new Date(before.t), id: before.id },
    );
    const page = toPage(rows, query.limit, (row) => ({ t: row.createdAt.toISOString(), id: row.id }));
    return { data: page.data.map(toProposalResponse), next_cursor: page.next_cursor };
  }

  async get(principal: Principal, incidentId: string, proposalId: string): Promise<FixProposalResponseDto> {
    await this.readableIncident(principal, incidentId);
    const row = await this.proposals.getById(principal.workspaceId, incidentId, proposalId);
    if (!row) throw new NotFoundAppException('Fix proposal', proposalId);
    return toProposalResponse(row);
  }

  /**
   * Applies the proposal's diff to the canonical definition of the agent's current version and
   * publishes the result as the next version (validated and audit-logged like any catalog
   * update). 409 when the base version is no longer current, the diff does not apply cleanly,
   * or the proposal was applied already; platform agents need a superadmin.
   */
  async apply(principal: Principal, incidentId: string, proposalId: string): Promise<FixProposalResponseDto> {
    const incident = await this.writableIncident(principal, incidentId);
    const id = await this.dataSource.transaction(async (manager) => {
      const proposal = await this.proposals.lockById(manager, principal.workspaceId, incident.id, proposalId);
      if (!proposal) throw new NotFoundAppException('Fix proposal', proposalId);
      if (proposal.status === 'applied') {
        throw new FixAgentException(
          HttpStatus.CONFLICT,
          FixAgentErrorCode.AlreadyApplied,
          `Fix proposal ${proposal.id} was applied already (version ${proposal.appliedVersion})`,
          { applied_version: proposal.appliedVersion },
        );
      }
      if (proposal.diff === '') {
        throw new FixAgentException(
          HttpStatus.CONFLICT,
          FixAgentErrorCode.NothingToApply,
          `Fix proposal ${proposal.id} changes nothing`,
        );
      }
      await this.proposals.lockAgent(manager, proposal.agentId);
      const agent = await this.catalog.resolveAgent(principal.workspaceId, proposal.agentId);
      if (!agent) throw new NotFoundAppException('Catalog agent', proposal.agentId);
      if (agent.classification === 'platform' && !principal.isSuperadmin) {
        throw new FixAgentException(
          HttpStatus.FORBIDDEN,
          FixAgentErrorCode.PlatformAgent,
          `${agent.key} is a platform agent: only a superadmin may publish a version of it`,
        );
      }
      if (agent.version !== proposal.baseVersion) {
        throw new FixAgentException(
          HttpStatus.CONFLICT,
          FixAgentErrorCode.StaleProposal,
          `Fix proposal ${proposal.id} was made against version ${proposal.baseVersion} of ${agent.key}; the current version is ${agent.version}. Ask the fix agent again`,
          { base_version: proposal.baseVersion, current_version: agent.version },
        );
      }
      const patched = applyAgentDiff(specOf(agent), proposal.diff);
      if (patched === null) {
        throw new FixAgentException(
          HttpStatus.CONFLICT,
          FixAgentErrorCode.PatchDoesNotApply,
          `The diff of fix proposal ${proposal.id} does not apply cleanly to version ${agent.version} of ${agent.key}`,
        );
      }
      const entry = await this.registry.publish(
        principal,
        'agent',
        agent.id,
        parseAgentDocument(patched),
        'definition.',
      );
      await this.proposals.markApplied(manager, proposal.id, {
        version: entry.currentVersion,
        userId: principal.userId,
      });
      await this.audit.record(
        principal,
        {
          workspaceId: principal.workspaceId,
          action: 'fix_proposal.applied',
          targetType: 'fix_proposal',
          targetId: proposal.id,
          data: {
            incident_id: incident.id,
            agent_id: agent.id,
            agent_key: agent.key,
            base_version: proposal.baseVersion,
            version: entry.currentVersion,
          },
        },
        manager,
      );
      return proposal.id;
    });
    return this.get(principal, incident.id, id);
  }

  /** A model's draft that cannot be used as is: [reason, detail]; null when it can. */
  private async checkDraft(workspaceId: string, current: AgentSpec, draft: FixDraft): Promise<[string, string] | null> {
    const added = draft.spec.tool_policy.allowed_tools.filter((t) => !current.tool_policy.allowed_tools.includes(t));
    if (added.length > 0) {
      const known = await this.catalog.getToolsByNames(workspaceId, added);
      const unknown = added.filter((t) => known.get(t)?.source !== 'catalog_tool');
      if (unknown.length > 0) {
        return [
          FallbackReason.InvalidModelOutput,
          `The model allowed tools the catalog does not have: ${unknown.join(', ')}`,
        ];
      }
    }
    if (renderAgentDocument(current) === renderAgentDocument(draft.spec)) {
      return [FallbackReason.ModelProposedNoChange, 'The model proposed no change to the definition'];
    }
    return null;
  }

  private async resolveAgent(workspaceId: string, name: string): Promise<AgentDefinition> {
    const keys = name.startsWith('agent.') ? [name] : [name, `agent.${name}`];
    for (const key of keys) {
      const agent = await this.catalog.resolveAgent(workspaceId, key);
      if (agent) return agent;
    }
    throw new FixAgentException(
      HttpStatus.CONFLICT,
      FixAgentErrorCode.AgentNotInCatalog,
      `Agent ${name} has no catalog definition (looked for ${keys.join(', ')}); register it under /v1/catalog/agents to get a fix`,
      { agent: name, looked_for: keys },
    );
  }

  private async readableIncident(principal: Principal, id: string): Promise<IncidentEntity> {
    const incident = await this.incidents.getById(principal.workspaceId, id);
    if (!incident) throw new NotFoundAppException('Incident', id);
    return incident;
  }

  /** A key pinned to a project acts only on incidents of that project alone (as PATCH does). */
  private async writableIncident(principal: Principal, id: string): Promise<IncidentEntity> {
    const incident = await this.readableIncident(principal, id);
    for (const projectId of incident.projectIds) assertProjectWritable(principal, projectId);
    if (incident.projectIds.length === 0) assertProjectWritable(principal, null);
    return incident;
  }
}

/** The agent asked for, or the incident's only one. */
function pickAgent(incident: IncidentEntity, asked: string | undefined): string {
  const agents = [...incident.agents].sort();
  if (asked !== undefined) {
    if (agents.includes(asked)) return asked;
    throw new FixAgentException(
      HttpStatus.UNPROCESSABLE_ENTITY,
      FixAgentErrorCode.AgentRequired,
      `Agent ${asked} is not affected by incident ${incident.id} (affected: ${agents.join(', ') || 'none'})`,
      { errors: [{ field: 'agent', message: `must be one of: ${agents.join(', ') || 'none'}` }] },
    );
  }
  if (agents.length === 1) return agents[0];
  if (agents.length === 0) {
    throw new FixAgentException(
      HttpStatus.CONFLICT,
      FixAgentErrorCode.NoAffectedAgent,
      `Incident ${incident.id} has no affected agent to fix`,
    );
  }
  throw new FixAgentException(
    HttpStatus.UNPROCESSABLE_ENTITY,
    FixAgentErrorCode.AgentRequired,
    `Incident ${incident.id} affected several agents; name one in \`agent\` (${agents.join(', ')})`,
    { errors: [{ field: 'agent', message: `required: one of ${agents.join(', ')}` }] },
  );
}

/** `name@version` entries of the incident for this agent, as versions. */
function versionsOf(incident: IncidentEntity, agent: string): string[] {
  return incident.agentVersions.filter((v) => v.startsWith(`${agent}@`)).map((v) => v.slice(agent.length + 1));
}

function specOf(agent: AgentDefinition): AgentSpec {
  return {
    display_name: agent.displayName,
    description: agent.description,
    status: agent.status,
    system_prompt: agent.systemPrompt,
    model_selection: agent.modelSelection,
    tool_policy: { allowed_tools: [...agent.toolPolicy.allowedTools] },
    workflow: agent.workflow,
  };
}

export function toProposalResponse(row: FixProposalEntity): FixProposalResponseDto {
  return {
    id: row.id,
    incident_id: row.incidentId,
    agent_id: row.agentId,
    agent_key: row.agentKey,
    base_version: row.baseVersion,
    plan: row.plan,
    diff: row.diff,
    fallback: row.fallback,
    reason: row.reason,
    reason_detail: row.reasonDetail,
    model: row.model,
    status: row.status,
    applied_version: row.appliedVersion,
    applied_at: row.appliedAt?.toISOString() ?? null,
    applied_by: row.appliedByUserId,
    created_by: row.createdByUserId,
    created_at: row.createdAt.toISOString(),
  };
}
