import { Logger } from '@nestjs/common';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { JobName, QueueName } from 'src/queue/queue.constants';
import type { DownloadModelJob } from '../modelops.constants';
import { DownloadRunner } from './download-runner';

/** The ModelOps queue's jobs; thin: the runner does the work. */
@Processor(QueueName.ModelOps)
export class DownloadsProcessor {
  private readonly logger = new Logger(DownloadsProcessor.name);

  constructor(private readonly runner: DownloadRunner) {}

  @Process({ name: JobName.DownloadModel, concurrency: 2 })
  async downloadModel(job: Job<DownloadModelJob>): Promise<void> {
    this.logger.log(`${JobName.DownloadModel} ${job.data.downloadId}: attempt ${job.attemptsMade + 1} started`);
    try {
      await this.runner.run(job);
      this.logger.log(`${JobName.DownloadModel} ${job.data.downloadId}: finished`);
    } catch (err) {
      this.logger.warn(
        `${JobName.DownloadModel} ${job.data.downloadId}: attempt ${job.attemptsMade + 1} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      throw err;
    }
  }
}
