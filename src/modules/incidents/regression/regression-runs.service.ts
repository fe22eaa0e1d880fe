import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { decodeCursor, toPage } from 'src/common/pagination/cursor';
import type { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { assertProjectWritable, type Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { InjectJobQueue, type JobQueue } from 'src/queue/job-queue';
import { JobName, QueueName } from 'src/queue/queue.constants';
import type { IncidentEntity } from '../entities/incident.entity';
import { IncidentsRepository } from '../incidents.repository';
import type { CreateRegressionRunDto, RegressionRunPageDto, RegressionRunResponseDto } from './dto/regression-run.dto';
import { toRegressionResponse } from './regression-response';
import { defaultBaseline, pickCandidate } from './regression-result';
import { type RegressionJobs, regressionJobId } from './regression-runs.constants';
import { RegressionErrorCode, RegressionException } from './regression-runs.exception';
import { RegressionRunsRepository } from './regression-runs.repository';

/**
 * Regression runs of an incident: which sessions to compare (the agent versions that produced
 * the incident against a newer one), stored as a run and counted by a job (RegressionRunner);
 * reads of the runs with their progress and result.
 */
@Injectable()
export class RegressionRunsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly runs: RegressionRunsRepository,
    private readonly audit: AuditLogService,
    @InjectJobQueue(QueueName.Regressions) private readonly jobs: JobQueue<RegressionJobs>,
  ) {}

  /** Queues a run of the incident's agent (or the one named among them); see `versions` for the sides. */
  async create(
    principal: Principal,
    incidentId: string,
    dto: CreateRegressionRunDto,
  ): Promise<RegressionRunResponseDto> {
    const incident = await this.readableIncident(principal, incidentId);
    for (const projectId of incident.projectIds) assertProjectWritable(principal, projectId);
    if (incident.projectIds.length === 0) assertProjectWritable(principal, null);
    const since = dto.since ? new Date(dto.since) : null;
    const until = dto.until ? new Date(dto.until) : null;
    if (since && until && since.getTime() >= until.getTime()) {
      throw new RegressionException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        RegressionErrorCode.InvalidWindow,
        'since must be before until',
        {
          errors: [{ field: 'since', message: 'must be before until' }],
        },
      );
    }
    const agent = pickAgent(incident, dto.agent);
    const { baselines, candidate } = await this.versions(principal.workspaceId, incident, agent, dto);
    const row = await this.dataSource.transaction(async (manager) => {
      const saved = await this.runs.insert(manager, {
        workspaceId: principal.workspaceId,
        incidentId: incident.id,
        agentName: agent,
        baselineVersions: baselines,
        candidateVersion: candidate,
        since,
        until,
        createdByUserId: principal.userId,
      });
      await this.audit.record(
        principal,
        {
          workspaceId: principal.workspaceId,
          action: 'regression_run.created',
          targetType: 'regression_run',
          targetId: saved.id,
          data: { incident_id: incident.id, agent, baseline_versions: baselines, candidate_version: candidate },
        },
        manager,
      );
      // Read back in the transaction: the answer shows the run as queued, before the job can change it.
      return (await this.runs.getById(principal.workspaceId, saved.id, manager))!;
    });
    await this.jobs.add(
      JobName.RunRegression,
      { workspaceId: row.workspaceId, runId: row.id },
      { jobId: regressionJobId(row.id) },
    );
    return toRegressionResponse(row);
  }

  async list(principal: Principal, incidentId: string, query: PageQueryDto): Promise<RegressionRunPageDto> {
    await this.readableIncident(principal, incidentId);
    const before = query.cursor ? decodeCursor<{ t: string; id: string }>(query.cursor, ['t', 'id']) : undefined;
    const rows = await this.runs.list(
      principal.workspaceId,
      incidentId,
      query.limit,
      before && { createdAt: new Date(before.t), id: before.id },
    );
    const page = toPage(rows, query.limit, (row) => ({ t: row.createdAt.toISOString(), id: row.id }));
    return { data: page.data.map(toRegressionResponse), next_cursor: page.next_cursor };
  }

  async get(principal: Principal, incidentId: string, runId: string): Promise<RegressionRunResponseDto> {
    await this.readableIncident(principal, incidentId);
    const row = await this.runs.getOfIncident(principal.workspaceId, incidentId, runId);
    if (!row) throw new NotFoundAppException('Regression run', runId);
    return toRegressionResponse(row);
  }

  /**
   * The candidate: the one named, else the newest version first seen after every version the
   * incident was seen in (422 `no_candidate_version` when none came after). The baseline: the
   * versions named, else the incident's versions first seen before the candidate.
   */
  private async versions(
    workspaceId: string,
    incident: IncidentEntity,
    agent: string,
    dto: CreateRegressionRunDto,
  ): Promise<{ baselines: string[]; candidate: string }> {
    const seen = await this.runs.versionsOf(workspaceId, agent);
    const incidentVersions = versionsOf(incident, agent);
    const candidate = dto.candidate_version ?? pickCandidate(seen, incidentVersions);
    if (candidate === null) {
      throw new RegressionException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        RegressionErrorCode.NoCandidateVersion,
        `No version of ${agent} was seen after ${incidentVersions.join(', ') || 'the incident'}; name candidate_version`,
        { errors: [{ field: 'candidate_version', message: 'required: no newer version of the agent was seen' }] },
      );
    }
    if (dto.baseline_versions?.includes(candidate)) {
      throw new RegressionException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        RegressionErrorCode.CandidateIsBaseline,
        `Version ${candidate} is one of the baseline versions`,
        { errors: [{ field: 'candidate_version', message: 'must differ from the baseline versions' }] },
      );
    }
    const baselines = dto.baseline_versions ?? defaultBaseline(seen, incidentVersions, candidate);
    if (baselines.length === 0) {
      throw new RegressionException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        RegressionErrorCode.NoBaselineVersion,
        `Incident ${incident.id} was seen in no version of ${agent} before ${candidate}; name baseline_versions`,
        {
          errors: [
            { field: 'baseline_versions', message: `required: no version of the incident came before ${candidate}` },
          ],
        },
      );
    }
    return { baselines, candidate };
  }

  private async readableIncident(principal: Principal, id: string): Promise<IncidentEntity> {
    const incident = await this.incidents.getById(principal.workspaceId, id);
    if (!incident) throw new NotFoundAppException('Incident', id);
    return incident;
  }
}

/** The agent asked for (one of the incident's), or the incident's only one. */
function pickAgent(incident: IncidentEntity, asked: string | undefined): string {
  const agents = [...incident.agents].sort();
  if (asked !== undefined && agents.includes(asked)) return asked;
  if (asked === undefined && agents.length === 1) return agents[0];
  if (asked === undefined && agents.length === 0) {
    throw new RegressionException(
      HttpStatus.CONFLICT,
      RegressionErrorCode.NoAffectedAgent,
      `Incident ${incident.id} has no affected agent`,
    );
  }
  throw new RegressionException(
    HttpStatus.UNPROCESSABLE_ENTITY,
    RegressionErrorCode.AgentRequired,
    asked === undefined
      ? `Incident ${incident.id} affected several agents; name one in \`agent\` (${agents.join(', ')})`
      : `Agent ${asked} is not affected by incident ${incident.id} (affected: ${agents.join(', ') || 'none'})`,
    { errors: [{ field: 'agent', message: `must be one of: ${agents.join(', ') || 'none'}` }] },
  );
}

/** The versions of this agent the incident was seen in (`name@version` entries). */
function versionsOf(incident: IncidentEntity, agent: string): string[] {
  return incident.agentVersions
    .filter((v) => v.startsWith(`${agent}@`))
    .map((v) => v.slice(agent.length + 1))
    .sort();
}
