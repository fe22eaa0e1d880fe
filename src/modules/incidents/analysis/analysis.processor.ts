import { Logger } from '@nestjs/common';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { SessionsRepository } from 'src/modules/sessions/sessions.repository';
import { JobName, QueueName } from 'src/queue/queue.constants';
import { type AnalyzeSessionJob, MAX_ANALYSIS_ROUNDS } from '../incidents.constants';
import { AnalysisService } from './analysis.service';

/** The incidents queue's jobs; thin: the analysis service does the work. */
@Processor(QueueName.Incidents)
export class AnalysisProcessor {
  private readonly logger = new Logger(AnalysisProcessor.name);

  constructor(
    private readonly analysis: AnalysisService,
    private readonly sessions: SessionsRepository,
  ) {}

  /**
   * Analyses the session, and again while events arrived during the run: a trigger that came in
   * while this job was active found its id taken, so the job itself catches up.
   */
  @Process({ name: JobName.AnalyzeSession, concurrency: 2 })
  async analyzeSession(job: Job<AnalyzeSessionJob>): Promise<void> {
    const { workspaceId, sessionId } = job.data;
    this.logger.log(`${JobName.AnalyzeSession} ${sessionId}: attempt ${job.attemptsMade + 1} started`);
    try {
      for (let round = 1; round <= MAX_ANALYSIS_ROUNDS; round++) {
        const result = await this.analysis.analyzeStored(workspaceId, sessionId);
        if (!result) {
          this.logger.log(`${JobName.AnalyzeSession} ${sessionId}: the session is gone`);
          return;
        }
        const session = await this.sessions.getById(workspaceId, sessionId);
        if (!session || session.eventCount <= result.eventCount) break;
      }
      this.logger.log(`${JobName.AnalyzeSession} ${sessionId}: finished`);
    } catch (err) {
      this.logger.warn(
        `${JobName.AnalyzeSession} ${sessionId}: attempt ${job.attemptsMade + 1} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      throw err;
    }
  }
}
