import { Logger } from '@nestjs/common';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { JobName, QueueName } from 'src/queue/queue.constants';
import { ExampleBuilder } from './example-builder';
import type { BuildExampleJob } from './examples.constants';

/** The examples queue's jobs; thin: the builder does the work. */
@Processor(QueueName.Examples)
export class ExamplesProcessor {
  private readonly logger = new Logger(ExamplesProcessor.name);

  constructor(private readonly builder: ExampleBuilder) {}

  @Process({ name: JobName.BuildExample, concurrency: 2 })
  async buildExample(job: Job<BuildExampleJob>): Promise<void> {
    const started = Date.now();
    this.logger.log(`${JobName.BuildExample} ${job.data.exampleId}: attempt ${job.attemptsMade + 1} started`);
    await this.builder.run(job);
    this.logger.log(`${JobName.BuildExample} ${job.data.exampleId}: finished in ${Date.now() - started} ms`);
  }
}
