import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import type { AllConfig } from 'src/config/configuration';
import { assertProjectWritable, Principal } from 'src/modules/auth/principal';
import type { EventEntity } from 'src/modules/sessions/entities/event.entity';
import type { SessionEntity } from 'src/modules/sessions/entities/session.entity';
import { SessionsRepository } from 'src/modules/sessions/sessions.repository';
import { SessionsService } from 'src/modules/sessions/sessions.service';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { inputDigest, runDetectors } from '../detectors/run-detectors';
import { sortEvents } from '../detectors/session-view';
import type { DetectorEvent, DetectorThresholds, Finding } from '../detectors/types';
import { AnalysisResponseDto, AnalyzeTraceDto, DetectorThresholdsDto, PutAnalysisDto } from '../dto/analysis.dto';
import { AnalysisEntity, StoredFinding } from '../entities/analysis.entity';
import { IncidentLinker, LinkChange } from '../incident-linker';
import { toIncidentResponse } from '../incident-response';
import { ANALYSIS_PAGE_SIZE } from '../incidents.constants';
import { IncidentsEvents } from '../incidents.events';
import { IncidentsErrorCode, IncidentsException } from '../incidents.exception';
import { IncidentsRepository } from '../incidents.repository';
import { AnalysisCatalog } from './analysis-catalog';
import { AnalysisRepository, AnalysisRow } from './analysis.repository';

const TRANSIENT_SQLSTATES = new Set(['40001', '40P01']);

/**
 * Runs the detectors over a session and stores the analysis and its incident links; reads it
 * back; stores the result of a server-side workflow (PUT). Detection is pure (src/.../detectors):
 * this service gathers its input (ordered events, thresholds, session state, catalog) and persists.
 */
@Injectable()
export class AnalysisService {
  private readonly logger = new Logger(AnalysisService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
    private readonly sessionRows: SessionsRepository,
    private readonly analyses: AnalysisRepository,
    private readonly incidents: IncidentsRepository,
    private readonly linker: IncidentLinker,
    private readonly catalog: AnalysisCatalog,
    private readonly events: IncidentsEvents,
    private readonly audit: AuditLogService,
    private readonly config: ConfigService<AllConfig, true>,
  ) {}

  async analyze(
    principal: Principal,
    sessionId: string,
    dto: AnalyzeTraceDto | undefined,
  ): Promise<AnalysisResponseDto> {
    const session = await this.sessions.getEntity(principal, sessionId);
    assertProjectWritable(principal, session.projectId);
    return this.run(session, this.thresholds(dto?.thresholds));
  }

  async get(principal: Principal, sessionId: string): Promise<AnalysisResponseDto> {
    const session = await this.sessions.getEntity(principal, sessionId);
    const row = await this.analyses.getBySession(principal.workspaceId, session.id);
    if (!row) throw new NotFoundAppException('Analysis of session', sessionId);
    return toAnalysisResponse(row);
  }

  /**
   * The analysis a server-side workflow made (findings it computed itself), stored with the
   * digest of the events it covers and linked to incidents like the detectors' findings.
   * Service keys and superadmins' keys only: never a browser (SSO) token.
   */
  async put(principal: Principal, sessionId: string, dto: PutAnalysisDto): Promise<AnalysisResponseDto> {
    assertWorkflowCaller(principal);
    const session = await this.sessions.getEntity(principal, sessionId);
    assertProjectWritable(principal, session.projectId);
    const { events, truncated } = await this.loadEvents(session);
    const seqs = new Set(events.map((e) => e.seq));
    const errors = dto.findings.flatMap((f, i) =>
      [f.critical_step, ...f.evidence]
        .filter((seq) => !seqs.has(seq))
        .map((seq) => ({ field: `findings.${i}`, message: `seq ${seq} is not an event of session ${session.id}` })),
    );
    if (errors.length > 0) {
      throw new IncidentsException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        IncidentsErrorCode.UnknownSeq,
        'Findings must point at events of the session',
        { errors: errors.slice(0, 20) },
      );
    }
    const { incidentMinConfidence } = this.thresholds();
    const findings: StoredFinding[] = dto.findings
      .map((f) => ({
        detector: f.detector,
        label: f.label,
        confidence: Math.round(f.confidence * 1000) / 1000,
        evidence: [...new Set(f.evidence)].sort((a, b) => a - b),
        critical_step: f.critical_step,
        signature: f.signature.trim(),
        summary: f.summary ?? `${f.label}: ${f.signature.trim()}`,
        incident_id: null,
      }))
      .sort((a, b) => a.critical_step - b.critical_step);
    const significant = findings.filter((f) => f.confidence >= incidentMinConfidence);
    return this.store(
      session,
      {
        source: 'workflow',
        detectorVersion: dto.detector_version,
        digest: inputDigest(events, { workflow: dto.detector_version }),
        labels: [...new Set(findings.map((f) => f.label))].sort(),
        criticalStep: significant.length > 0 ? String(Math.min(...significant.map((f) => f.critical_step))) : null,
        thresholds: {},
        eventCount: events.length,
        lastSeq: String(events[events.length - 1]?.seq ?? 0),
        truncated,
      },
      findings,
      { link: dto.link_incidents !== false, minConfidence: incidentMinConfidence, actor: principal },
    );
  }

  /**
   * The analysis job: the session's current events with the configured thresholds. Null when the
   * session is gone. Returns the number of events analysed, so the job can tell late arrivals.
   */
  async analyzeStored(workspaceId: string, sessionId: string): Promise<{ eventCount: number } | null> {
    const session = await this.sessionRows.getById(workspaceId, sessionId);
    if (!session) return null;
    const result = await this.run(session, this.thresholds());
    return { eventCount: result.event_count };
  }

  private async run(session: SessionEntity, thresholds: DetectorThresholds): Promise<AnalysisResponseDto> {
    const { events, truncated } = await this.loadEvents(session);
    const catalog = await this.catalog.forSession(session);
    const lastActive = (session.lastEventAt ?? session.startedAt).getTime();
    const result = runDetectors(events, {
      thresholds,
      session: {
        ended: session.endedAt !== null || session.status !== 'running',
        status: session.status,
        idleMs: Math.max(0, Date.now() - lastActive),
      },
      ...catalog,
    });
    return this.store(
      session,
      {
        source: 'detectors',
        detectorVersion: result.configVersion,
        digest: result.digest,
        labels: result.labels,
        criticalStep: result.criticalStep === null ? null : String(result.criticalStep),
        thresholds: thresholdsRecord(thresholds),
        eventCount: result.eventCount,
        lastSeq: String(events[events.length - 1]?.seq ?? 0),
        truncated,
      },
      result.findings.map(toStoredFinding),
      { link: true, minConfidence: thresholds.incidentMinConfidence, actor: null },
    );
  }

  /** Stores the analysis and its links in one transaction, then announces incident changes. */
  private async store(
    session: SessionEntity,
    analysis: Omit<AnalysisRow, 'workspaceId' | 'projectId' | 'sessionId' | 'findings'>,
    findings: StoredFinding[],
    options: { link: boolean; minConfidence: number; actor: Principal | null },
  ): Promise<AnalysisResponseDto> {
    const changes = await this.withRetry((manager) =>
      this.persist(manager, session, { ...analysis, findings }, options),
    );
    await this.announce(session, changes);
    const row = await this.analyses.getBySession(session.workspaceId, session.id);
    if (!row) throw new NotFoundAppException('Analysis of session', session.id);
    return toAnalysisResponse(row);
  }

  private async persist(
    manager: EntityManager,
    session: SessionEntity,
    analysis: Omit<AnalysisRow, 'workspaceId' | 'projectId' | 'sessionId'>,
    options: { link: boolean; minConfidence: number; actor: Principal | null },
  ): Promise<LinkChange[]> {
    const base = { workspaceId: session.workspaceId, projectId: session.projectId, sessionId: session.id };
    // The analysis row first: its lock serialises concurrent analyses of this session.
    await this.analyses.upsert(manager, { ...base, ...analysis });
    let changes: LinkChange[] = [];
    if (options.link) {
      const linked = await this.linker.sync(manager, session, analysis.findings, options.minConfidence);
      await this.analyses.setFindings(manager, session.id, linked.findings);
      changes = linked.changes;
    }
    if (options.actor) {
      await this.audit.record(
        options.actor,
        {
          workspaceId: session.workspaceId,
          action: 'analysis.recorded',
          targetType: 'session',
          targetId: session.id,
          data: {
            source: analysis.source,
            detector_version: analysis.detectorVersion,
            digest: analysis.digest,
            labels: analysis.labels,
            linked: options.link,
          },
        },
        manager,
      );
    }
    return changes;
  }

  private async announce(session: SessionEntity, changes: LinkChange[]): Promise<void> {
    if (changes.length === 0) return;
    const rows = await this.incidents.getManyByIds(
      session.workspaceId,
      changes.map((c) => c.incidentId),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const at = new Date().toISOString();
    for (const change of changes) {
      const row = byId.get(change.incidentId);
      if (!row) continue;
      this.events.emit({
        type: change.type,
        workspaceId: session.workspaceId,
        incident: toIncidentResponse(row),
        reason: 'recurrence',
        sessionId: session.id,
        actorUserId: null,
        at,
      });
    }
  }

  /** Deadlocks and serialisation failures are transient: the whole transaction is tried again. */
  private async withRetry<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(work);
      } catch (error) {
        const code = error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
        if (attempt >= 3 || !code || !TRANSIENT_SQLSTATES.has(code)) throw error;
        this.logger.warn(`analysis transaction retried after ${code} (attempt ${attempt})`);
      }
    }
  }

  /** The session's events in replay order, at most ANALYSIS_MAX_EVENTS of them. */
  private async loadEvents(session: SessionEntity): Promise<{ events: DetectorEvent[]; truncated: boolean }> {
    const { maxEvents } = this.config.getOrThrow('analysis', { infer: true });
    const events: DetectorEvent[] = [];
    let after = { seq: 0, subSeq: 0 };
    for (;;) {
      const page = await this.sessionRows.listEvents(session.workspaceId, session.id, after, ANALYSIS_PAGE_SIZE);
      const rows = page.slice(0, ANALYSIS_PAGE_SIZE);
      for (const row of rows) {
        if (events.length === maxEvents) return { events: sortEvents(events), truncated: true };
        events.push(toDetectorEvent(row));
      }
      const last = rows[rows.length - 1];
      if (page.length <= ANALYSIS_PAGE_SIZE || !last) return { events: sortEvents(events), truncated: false };
      after = { seq: Number(last.seq), subSeq: last.subSeq };
    }
  }

  /** The configured thresholds, with the request's overrides. */
  private thresholds(overrides?: DetectorThresholdsDto): DetectorThresholds {
    const base = this.config.getOrThrow('analysis', { infer: true }).thresholds;
    return {
      loopMinRepeats: overrides?.loop_min_repeats ?? base.loopMinRepeats,
      noProgressSteps: overrides?.no_progress_steps ?? base.noProgressSteps,
      timeoutGapMs:
        overrides?.timeout_gap_seconds !== undefined ? overrides.timeout_gap_seconds * 1000 : base.timeoutGapMs,
      abandonAfterMs:
        overrides?.abandon_after_seconds !== undefined ? overrides.abandon_after_seconds * 1000 : base.abandonAfterMs,
      maxRetries: overrides?.max_retries ?? base.maxRetries,
      maxTokens: overrides?.max_tokens ?? base.maxTokens,
      maxCostUsd: overrides?.max_cost_usd ?? base.maxCostUsd,
      incidentMinConfidence: overrides?.incident_min_confidence ?? base.incidentMinConfidence,
    };
  }
}

function assertWorkflowCaller(principal: Principal): void {
  if (principal.kind === 'jwt') {
    throw new IncidentsException(
      HttpStatus.FORBIDDEN,
      IncidentsErrorCode.ServiceCredentialRequired,
      'Analyses are stored by server-side workflows: use a service key or a superadmin API key, not a browser (SSO) token',
    );
  }
  if (!principal.service && !principal.isSuperadmin) {
    throw new IncidentsException(
      HttpStatus.FORBIDDEN,
      IncidentsErrorCode.ServiceCredentialRequired,
      'This needs a service key (created by a workspace admin with `service: true`) or a superadmin API key',
    );
  }
}

function toDetectorEvent(row: EventEntity): DetectorEvent {
  return {
    seq: Number(row.seq),
    subSeq: row.subSeq,
    type: row.type,
    origin: row.origin,
    timestamp: row.clientTs?.toISOString() ?? null,
    payload: row.payload,
  };
}

function toStoredFinding(f: Finding): StoredFinding {
  return {
    detector: f.detector,
    label: f.label,
    confidence: f.confidence,
    evidence: f.evidence,
    critical_step: f.criticalStep,
    signature: f.signature,
    summary: f.summary,
    incident_id: null,
  };
}

/** The thresholds as the request names them (seconds, snake_case). */
function thresholdsRecord(t: DetectorThresholds): Record<string, number> {
  return {
    loop_min_repeats: t.loopMinRepeats,
    no_progress_steps: t.noProgressSteps,
    timeout_gap_seconds: t.timeoutGapMs / 1000,
    abandon_after_seconds: t.abandonAfterMs / 1000,
    max_retries: t.maxRetries,
    max_tokens: t.maxTokens,
    max_cost_usd: t.maxCostUsd,
    incident_min_confidence: t.incidentMinConfidence,
  };
}

export function toAnalysisResponse(row: AnalysisEntity): AnalysisResponseDto {
  return {
    id: row.id,
    session_id: row.sessionId,
    workspace_id: row.workspaceId,
    project_id: row.projectId,
    source: row.source,
    detector_version: row.detectorVersion,
    digest: row.digest,
    labels: row.labels,
    critical_step: row.criticalStep === null ? null : Number(row.criticalStep),
    findings: row.findings,
    thresholds: row.thresholds,
    event_count: row.eventCount,
    last_seq: Number(row.lastSeq),
    truncated: row.truncated,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
