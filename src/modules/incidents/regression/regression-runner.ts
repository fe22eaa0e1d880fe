import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppException } from 'src/common/errors/app.exception';
import type { AllConfig } from 'src/config/configuration';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import type { QueueJob } from 'src/queue/job-queue';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AnalysisService } from '../analysis/analysis.service';
import type { IncidentEntity } from '../entities/incident.entity';
import { fingerprintOf } from '../incident-linker';
import { IncidentsRepository } from '../incidents.repository';
import { WebhookPublisher } from '../webhooks/webhook-publisher';
import type { RegressionProgress, RegressionRunEntity } from './entities/regression-run.entity';
import { toRegressionResponse } from './regression-response';
import { compareSides, type RegressionResult, type SideCount } from './regression-result';
import { REGRESSION_CHUNK, REGRESSION_MAX_SESSIONS_PER_SIDE, type RunRegressionJob } from './regression-runs.constants';
import { PermanentRegressionError } from './regression-runs.exception';
import { type AnalysisState, RegressionRunsRepository } from './regression-runs.repository';

/**
 * Runs one regression run: lists the sessions of each side (the most recent in the window),
 * reads their analyses — analysing now, with the deterministic detectors, those that have none or
 * whose analysis is behind their events — and counts those with a finding of the incident's
 * fingerprint at incident confidence. Progress is stored as it goes; the result, an audit row and
 * the `regression.finished` webhook come at the end. An attempt that fails starts over (analyses
 * already stored are reused); the last one marks the run failed.
 */
@Injectable()
export class RegressionRunner {
  private readonly logger = new Logger(RegressionRunner.name);

  constructor(
    private readonly runs: RegressionRunsRepository,
    private readonly incidents: IncidentsRepository,
    private readonly analysis: AnalysisService,
    private readonly audit: AuditLogService,
    private readonly webhooks: WebhookPublisher,
    private readonly config: ConfigService<AllConfig, true>,
  ) {}

  async run(job: QueueJob<RunRegressionJob>): Promise<void> {
    const { workspaceId, runId } = job.data;
    const run = await this.runs.getById(workspaceId, runId);
    if (!run || run.status === 'completed' || run.status === 'failed') return; // gone or settled
    const attempts = job.attemptsMade + 1;
    await this.runs.update(workspaceId, runId, {
      status: 'running',
      attempts,
      error: null,
      startedAt: run.startedAt ?? new Date(),
      progress: { phase: 'before', done: 0, total: 0 },
    });
    let result: RegressionResult;
    try {
      const incident = await this.incidents.getById(workspaceId, run.incidentId);
      if (!incident)
        throw new PermanentRegressionError('incident_not_found', `Incident ${run.incidentId} no longer exists`);
      result = await this.count(run, incident, job);
    } catch (err) {
      const error = describe(err);
      if (err instanceof PermanentRegressionError || attempts >= (job.opts.attempts ?? 1)) {
        this.logger.warn(`Regression run ${runId} failed (${error.code}) on attempt ${attempts}: ${logText(err)}`);
        await job.discard();
        await this.settle(run, { status: 'failed', error, finishedAt: new Date() }, 'regression_run.failed', { error });
      } else {
        await this.runs.update(workspaceId, runId, { status: 'queued', error });
        this.logger.warn(`Regression run ${runId}: attempt ${attempts} failed (${logText(err)}); it will be retried`);
      }
      throw err;
    }
    const { regressed, improved } = result;
    const completed = { status: 'completed' as const, result, regressed, improved, finishedAt: new Date() };
    await this.settle(run, completed, 'regression_run.finished', { result });
  }

  private async count(run: RegressionRunEntity, incident: IncidentEntity, job: QueueJob<RunRegressionJob>) {
    const window = { since: run.since, until: run.until };
    const list = (versions: string[]) =>
      this.runs.sessionIds(run.workspaceId, run.agentName, versions, window, REGRESSION_MAX_SESSIONS_PER_SIDE + 1);
    const beforeIds = await list(run.baselineVersions);
    const afterIds = await list([run.candidateVersion]);
    const sides = [
      { phase: 'before' as const, versions: run.baselineVersions, ids: beforeIds },
      { phase: 'after' as const, versions: [run.candidateVersion], ids: afterIds },
    ].map((s) => ({
      ...s,
      truncated: s.ids.length > REGRESSION_MAX_SESSIONS_PER_SIDE,
      ids: s.ids.slice(0, REGRESSION_MAX_SESSIONS_PER_SIDE),
    }));
    const progress: RegressionProgress = { phase: 'before', done: 0, total: sides[0].ids.length + sides[1].ids.length };
    const counted: SideCount[] = [];
    for (const side of sides) {
      progress.phase = side.phase;
      await this.report(run, job, progress);
      const count: SideCount = {
        versions: side.versions,
        sessions: 0,
        affected: 0,
        analysed_now: 0,
        truncated: side.truncated,
      };
      for (let i = 0; i < side.ids.length; i += REGRESSION_CHUNK) {
        const chunk = side.ids.slice(i, i + REGRESSION_CHUNK);
        for (const state of await this.analysedStates(run.workspaceId, chunk, count)) {
          count.sessions += 1;
          if (this.affected(run.workspaceId, incident, state)) count.affected += 1;
        }
        progress.done += chunk.length;
        await this.report(run, job, progress);
      }
      counted.push(count);
    }
    await this.report(run, job, { ...progress, phase: 'done' });
    return compareSides(incident.fingerprint, counted[0], counted[1]);
  }

  /** The chunk's sessions with a current analysis, analysing now those without one. */
  private async analysedStates(workspaceId: string, ids: string[], count: SideCount): Promise<AnalysisState[]> {
    const states = await this.runs.analysisStates(workspaceId, ids);
    const stale = states.filter(
      (s) => s.analysedEventCount === null || (!s.truncated && s.analysedEventCount < s.eventCount),
    );
    if (stale.length === 0) return states;
    for (const state of stale) {
      if (await this.analysis.analyzeStored(workspaceId, state.sessionId)) count.analysed_now += 1;
    }
    const fresh = await this.runs.analysisStates(
      workspaceId,
      stale.map((s) => s.sessionId),
    );
    const staleIds = new Set(stale.map((s) => s.sessionId));
    return [...states.filter((s) => !staleIds.has(s.sessionId)), ...fresh.filter((s) => s.analysedEventCount !== null)];
  }

  /** A finding of the incident's fingerprint, significant enough to form incidents. */
  private affected(workspaceId: string, incident: IncidentEntity, state: AnalysisState): boolean {
    const min = this.config.getOrThrow('analysis', { infer: true }).thresholds.incidentMinConfidence;
    return state.findings.some(
      (f) => f.confidence >= min && fingerprintOf(workspaceId, f.detector, f.signature) === incident.fingerprint,
    );
  }

  private async report(run: RegressionRunEntity, job: QueueJob<RunRegressionJob>, progress: RegressionProgress) {
    await this.runs.update(run.workspaceId, run.id, { progress: { ...progress } });
    await job.progress({ ...progress });
  }

  /**
   * The run's end: its final state and an audit row (no actor: the job did it) in one transaction,
   * so whoever sees the run settled also finds its audit row; then the `regression.finished` webhook.
   */
  private async settle(
    run: RegressionRunEntity,
    final: QueryDeepPartialEntity<RegressionRunEntity> & { status: 'completed' | 'failed' },
    action: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.runs.transaction(async (manager) => {
      await this.runs.update(run.workspaceId, run.id, final, manager);
      await this.audit.record(
        null,
        {
          workspaceId: run.workspaceId,
          action,
          targetType: 'regression_run',
          targetId: run.id,
          data: { incident_id: run.incidentId, status: final.status, ...data },
        },
        manager,
      );
    });
    const row = await this.runs.getById(run.workspaceId, run.id);
    if (!row) return;
    // The run is settled either way: a webhook that cannot be stored is logged, not retried as the run.
    await this.webhooks
      .publish(run.workspaceId, 'regression.finished', { regression_run: toRegressionResponse(row) })
      .catch((err: unknown) => this.logger.warn({ err }, `regression.finished of run ${run.id} was not published`));
  }
}

function describe(err: unknown): { code: string; message: string } {
  if (err instanceof PermanentRegressionError) return { code: err.code, message: err.message };
  if (err instanceof AppException) return { code: err.code, message: err.message };
  // Unknown errors are logged, never shown: their text may name internals.
  return { code: 'internal_error', message: 'The run failed unexpectedly; see the worker log' };
}

function logText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
