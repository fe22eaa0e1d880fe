import type { JobOptions } from 'bull';
import { InProcessQueue } from './in-process-queue';
import { JobQueueClient, resolveJobOptions } from './job-queue';

describe('JobQueueClient', () => {
  const table: Partial<Record<string, JobOptions>> = {
    'reports.render': { attempts: 2, timeout: 5_000 },
  };
  let backend: InProcessQueue;

  beforeEach(() => {
    backend = new InProcessQueue('client', {
      defaultJobOptions: { attempts: 5, removeOnFail: false },
    });
  });

  afterEach(() => backend.close(100));

  it('adds a job with its per-job options over the queue defaults', async () => {
    const queue = new JobQueueClient<{ 'reports.render': { id: string } }>(backend, table);

    const job = await queue.add('reports.render', { id: 'r1' });

    expect(job.opts).toEqual(
      expect.objectContaining({
        attempts: 2,
        timeout: 5_000,
        removeOnFail: false,
      }),
    );
    expect(await queue.getJob(job.id)).toBe(job);
    expect((await queue.getJobCounts()).waiting).toBe(1);
    expect(queue.name).toBe('client');
  });

  it("lets the caller's options win over the per-job options", () => {
    expect(resolveJobOptions('reports.render', { attempts: 9 }, table)).toEqual({ attempts: 9, timeout: 5_000 });
    expect(resolveJobOptions('other', undefined, table)).toEqual({});
  });
});
