import { Inject, Scope } from '@nestjs/common';
import { JOB_REF, OnQueueEvent, Process, Processor } from '@nestjs/bull';
import { Test } from '@nestjs/testing';
import type { Job } from 'bull';
import { BULL_MODULE_ON_QUEUE_EVENT, BULL_MODULE_QUEUE, BULL_MODULE_QUEUE_PROCESS } from './in-process.explorer';
import { getJobQueueToken, JobQueue } from './job-queue';
import { InProcessQueueRegistry } from './queue-registry';
import { QueueModule } from './queue.module';

@Processor('explorer')
class PlainProcessor {
  @Process()
  handle(job: Job<{ n: number }>) {
    return job.data.n * 2;
  }

  @OnQueueEvent('completed')
  onCompleted() {}
}

const seen: string[] = [];

@Processor({ name: 'scoped', scope: Scope.REQUEST })
class ScopedProcessor {
  constructor(@Inject(JOB_REF) private readonly job: Job<{ tag: string }>) {}

  @Process('tagged')
  handle() {
    seen.push(this.job.data.tag);
    return this.job.data.tag;
  }
}

describe('InProcessExplorer', () => {
  it('reads the metadata keys that @nestjs/bull decorators write', () => {
    expect(Reflect.getMetadata(BULL_MODULE_QUEUE, PlainProcessor)).toEqual({
      name: 'explorer',
    });
    const prototype = PlainProcessor.prototype as unknown as Record<string, object>;
    expect(Reflect.getMetadata(BULL_MODULE_QUEUE_PROCESS, prototype.handle)).toEqual({});
    expect(Reflect.getMetadata(BULL_MODULE_ON_QUEUE_EVENT, prototype.onCompleted)).toEqual({ eventName: 'completed' });
  });

  it('runs unnamed @Process() handlers and request-scoped processors in-process', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [QueueModule.forRoot({ redisUrl: undefined }), QueueModule.registerQueues('explorer', 'scoped')],
      providers: [PlainProcessor, ScopedProcessor],
    }).compile();
    await moduleRef.init();
    try {
      const plain = moduleRef.get<JobQueue>(getJobQueueToken('explorer'));
      const scoped = moduleRef.get<JobQueue>(getJobQueueToken('scoped'));
      const doubled = await (plain as unknown as { add(data: unknown): Promise<{ id: string }> }).add({ n: 21 });
      const tagged = await scoped.add('tagged', { tag: 'a' });
      await scoped.add('tagged', { tag: 'b' });

      await moduleRef.get(InProcessQueueRegistry).whenIdle(2_000);

      expect((await plain.getJob(doubled.id))?.returnvalue).toBe(42);
      expect((await scoped.getJob(tagged.id))?.returnvalue).toBe('a');
      expect(seen).toEqual(['a', 'b']);
    } finally {
      await moduleRef.close();
    }
  });

  it('refuses a processor whose queue no module registered', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [QueueModule.forRoot({ redisUrl: undefined })],
      providers: [PlainProcessor],
    }).compile();

    await expect(moduleRef.init()).rejects.toThrow(`No queue "explorer" for processor PlainProcessor`);
    await moduleRef.close();
  });
});
