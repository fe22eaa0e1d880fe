import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from 'src/config/configuration';
import type { CommittedAppend } from 'src/modules/sessions/ingest/ingest.types';
import { SessionsEvents } from 'src/modules/sessions/sessions.events';
import { InjectJobQueue, type JobQueue } from 'src/queue/job-queue';
import { JobName, QueueName } from 'src/queue/queue.constants';
import { analyzeJobId, type IncidentJobs } from '../incidents.constants';
import { AnalysisRepository } from './analysis.repository';

/**
 * Queues the analysis of sessions that ended, and of analysed sessions that received late
 * events. One job id per session, delayed by ANALYSIS_DEBOUNCE_MS: triggers that come while it
 * waits are no-ops, so a burst of late events gives one run over all of them.
 */
@Injectable()
export class AnalysisScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AnalysisScheduler.name);
  private unsubscribe?: () => void;

  constructor(
    private readonly sessionsEvents: SessionsEvents,
    private readonly analyses: AnalysisRepository,
    private readonly config: ConfigService<AllConfig, true>,
    @InjectJobQueue(QueueName.Incidents) private readonly jobs: JobQueue<IncidentJobs>,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.getOrThrow('analysis', { infer: true }).auto) return;
    this.unsubscribe = this.sessionsEvents.onCommitted((append) => {
      this.onCommitted(append).catch((error: unknown) =>
        this.logger.warn({ err: error }, `could not queue the analysis of sessions ${append.sessionIds.join(',')}`),
      );
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /**
   * The writer says which sessions ended in this commit and which had ended before it (late
   * events): only those are looked at, so the ingest of running sessions costs no query here.
   */
  private async onCommitted(append: CommittedAppend): Promise<void> {
    if (append.endedSessionIds.length === 0 && append.lateSessionIds.length === 0) return;
    const late = await this.analyses.listAnalysedSessionIds(append.workspaceId, append.lateSessionIds);
    for (const sessionId of [...append.endedSessionIds, ...late]) await this.enqueue(append.workspaceId, sessionId);
  }

  /** Queues the session's analysis unless one is already waiting. */
  async enqueue(workspaceId: string, sessionId: string): Promise<void> {
    const jobId = analyzeJobId(sessionId);
    const previous = await this.jobs.getJob(jobId);
    // A finished job keeps its id in Bull: make room for the new run (a completed one is removed
    // on completion; a failed one stays until this point).
    if (previous && ((await previous.isFailed()) || (await previous.isCompleted()))) {
      await previous.remove().catch(() => undefined);
    }
    const { debounceMs } = this.config.getOrThrow('analysis', { infer: true });
    await this.jobs.add(JobName.AnalyzeSession, { workspaceId, sessionId }, { jobId, delay: debounceMs });
  }
}
