import { Test } from '@nestjs/testing';
import { getJobQueueToken, JobQueue } from './job-queue';
import { QueueName } from './queue.constants';
import { QueueRegistry } from './queue-registry';
import { QueueModule } from './queue.module';
import { testRedisUrl } from 'test/setup/services';

describe('QueueModule', () => {
  it('picks the driver from the validated REDIS_URL when given no options', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [QueueModule.forRoot(), QueueModule.registerQueues(QueueName.Maintenance)],
    }).compile();
    await moduleRef.init();
    try {
      expect(moduleRef.get(QueueRegistry).driver).toBe(testRedisUrl() ? 'bull' : 'in-process');
      const queue = moduleRef.get<JobQueue>(getJobQueueToken(QueueName.Maintenance));
      expect(queue.name).toBe(QueueName.Maintenance);
      expect(await queue.getJobCounts()).toEqual(expect.objectContaining({ active: 0 }));
    } finally {
      await moduleRef.close();
    }
  });
});
