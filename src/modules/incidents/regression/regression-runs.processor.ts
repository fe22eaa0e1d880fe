import { Logger } from '@nestjs/common';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { JobName, QueueName } from 'src/queue/queue.constants';
import { RegressionRunner } from './regression-runner';
import type { RunRegressionJob } from './regression-runs.constants';

/** The regressions queue's jobs; thin: the runner does the work. */
@Processor(QueueName.Regressions)
export class RegressionRunsProcessor {
  private readonly logger = new Logger(RegressionRunsProcessor.name);

  constructor(private readonly runner: RegressionRunner) {}

  @Process({ name: JobName.RunRegression, concurrency: 1 })
  async runRegression(job: Job<RunRegressionJob>): Promise<void> {
    const started = Date.now();
    this.logger.log(`${JobName.RunRegression} ${job.data.runId}: attempt ${job.attemptsMade + 1} started`);
    await this.runner.run(job);
    this.logger.log(`${JobName.RunRegression} ${job.data.runId}: finished in ${Date.now() - started} ms`);
  }
}
