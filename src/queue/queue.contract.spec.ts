import { randomUUID } from 'node:crypto';
import { OnQueueCompleted, OnQueueFailed, Process, Processor } from '@nestjs/bull';
import { Test, TestingModule } from '@nestjs/testing';
import type { Job, JobStatus, Queue } from 'bull';
import Redis from 'ioredis';
import { getJobQueueToken, getQueueToken, JobQueue, QueueJob } from './job-queue';
import { QueueModule } from './queue.module';
import { selectProcessorProviders } from './queue-role';
import { testRedisUrl } from 'test/setup/services';

/**
 * One contract, two drivers: the in-process queues always, Bull against the Redis of
 * REDIS_URL when it is set. Each run uses its own queue prefix and removes its keys.
 */
const drivers = [
  { driver: 'in-process', redisUrl: undefined },
  ...(testRedisUrl() ? [{ driver: 'bull', redisUrl: testRedisUrl() }] : []),
];

const QUEUE = 'contract';

type ContractJobs = {
  echo: { value: string; at?: unknown };
  flaky: { failures: number };
  doomed: Record<string, never>;
  gated: { key: string };
  'unknown-job': Record<string, never>;
};

class Gate {
  private release!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  open(): void {
    this.release();
  }
}

interface Call {
  id: string;
  name: string;
  data: unknown;
  attemptsMade: number;
  at: number;
}

@Processor(QUEUE)
class ContractProcessor {
  readonly calls: Call[] = [];
  readonly events: string[] = [];
  readonly gates = new Map<string, Gate>();
  running = 0;
  maxRunning = 0;

  @Process({ name: 'echo', concurrency: 2 })
  echo(job: Job<ContractJobs['echo']>) {
    this.record(job);
    return { echoed: job.data.value };
  }

  @Process({ name: 'flaky' })
  flaky(job: Job<ContractJobs['flaky']>) {
    this.record(job);
    if (job.attemptsMade < job.data.failures) throw new Error(`flaky attempt ${job.attemptsMade + 1}`);
    return 'recovered';
  }

  @Process('doomed')
  doomed(job: Job<ContractJobs['doomed']>) {
    this.record(job);
    throw new Error(`doomed attempt ${job.attemptsMade + 1}`);
  }

  @Process({ name: 'gated', concurrency: 2 })
  async gated(job: Job<ContractJobs['gated']>) {
    this.record(job);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await job.progress(50);
      await job.log('halfway');
      await this.gate(job.data.key).opened;
      await job.progress(100);
      return 'opened';
    } finally {
      this.running--;
    }
  }

  @OnQueueCompleted()
  onCompleted(job: Job) {
    this.events.push(`completed:${job.id}`);
  }

  @OnQueueFailed()
  onFailed(job: Job, err: Error) {
    this.events.push(`failed:${job.id}:${err.message}`);
  }

  gate(key: string): Gate {
    let gate = this.gates.get(key);
    if (!gate) this.gates.set(key, (gate = new Gate()));
    return gate;
  }

  callsOf(id: unknown): Call[] {
    return this.calls.filter((call) => call.id === String(id));
  }

  private record(job: Job) {
    this.calls.push({
      id: String(job.id),
      name: job.name,
      data: job.data,
      attemptsMade: job.attemptsMade,
      at: Date.now(),
    });
  }
}

async function eventually<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function settled(queue: JobQueue<ContractJobs>, id: unknown, state: JobStatus): Promise<QueueJob> {
  return eventually(
    async () => {
      const job = await queue.getJob(String(id));
      // Read the job again once it is there: Bull's job object is a snapshot of when it was read.
      return job && (await job.getState()) === state ? ((await queue.getJob(String(id))) ?? undefined) : undefined;
    },
    `job ${String(id)} to be ${state}`,
  );
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

async function createApp(redisUrl: string | undefined, prefix: string, providers: (typeof ContractProcessor)[]) {
  const moduleRef = await Test.createTestingModule({
    imports: [QueueModule.forRoot({ redisUrl, prefix, shutdownTimeoutMs: 2_000 }), QueueModule.registerQueues(QUEUE)],
    providers,
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe.each(drivers)('queue contract ($driver)', ({ driver, redisUrl }) => {
  const prefix = `flightdeck-test-${randomUUID()}`;
  let moduleRef: TestingModule;
  let queue: JobQueue<ContractJobs>;
  let processor: ContractProcessor;

  beforeAll(async () => {
    moduleRef = await createApp(redisUrl, prefix, [ContractProcessor]);
    queue = moduleRef.get(getJobQueueToken(QUEUE));
    processor = moduleRef.get(ContractProcessor);
  });

  afterAll(async () => {
    for (const gate of processor?.gates.values() ?? []) gate.open();
    await moduleRef?.close();
    if (redisUrl) await deleteKeys(redisUrl, prefix);
  });

  it('runs a job through the @Processor() class and keeps its result', async () => {
    const added = await queue.add('echo', { value: 'hello' });

    const job = await settled(queue, added.id, 'completed');

    expect(job.name).toBe('echo');
    expect(job.data).toEqual({ value: 'hello' });
    expect(job.returnvalue).toEqual({ echoed: 'hello' });
    expect(job.attemptsMade).toBe(0);
    expect(job.processedOn).toBeGreaterThanOrEqual(job.timestamp);
    expect(job.finishedOn).toBeGreaterThanOrEqual(job.processedOn ?? Infinity);
    expect(processor.callsOf(added.id)).toEqual([expect.objectContaining({ name: 'echo', data: { value: 'hello' } })]);
    await eventually(() => processor.events.includes(`completed:${added.id}`), 'the completed listener');
  });

  it('hands the processor the payload as JSON, as Redis stores it', async () => {
    const added = await queue.add('echo', { value: 'dated', at: new Date(0) });

    await settled(queue, added.id, 'completed');

    expect(processor.callsOf(added.id)[0].data).toEqual({
      value: 'dated',
      at: '1970-01-01T00:00:00.000Z',
    });
  });

  it('completes a job that fails twice on the third attempt, after the fixed backoff', async () => {
    const added = await queue.add('flaky', { failures: 2 }, { attempts: 3, backoff: { type: 'fixed', delay: 100 } });

    const job = await settled(queue, added.id, 'completed');

    const calls = processor.callsOf(added.id);
    expect(calls.map((call) => call.attemptsMade)).toEqual([0, 1, 2]);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(95);
    expect(calls[2].at - calls[1].at).toBeGreaterThanOrEqual(95);
    expect(job.returnvalue).toBe('recovered');
    // Bull counts failed attempts: the successful third one leaves attemptsMade at 2.
    expect(job.attemptsMade).toBe(2);
    expect(job.failedReason).toBe('flaky attempt 2');
  });

  it('waits delay * (2^attemptsMade - 1) between attempts with exponential backoff', async () => {
    const added = await queue.add(
      'flaky',
      { failures: 2 },
      { attempts: 3, backoff: { type: 'exponential', delay: 50 } },
    );

    await settled(queue, added.id, 'completed');

    const [first, second, third] = processor.callsOf(added.id);
    expect(second.at - first.at).toBeGreaterThanOrEqual(45);
    expect(third.at - second.at).toBeGreaterThanOrEqual(145);
  });

  it('fails a job past its attempts and keeps it with its failedReason', async () => {
    const added = await queue.add('doomed', {}, { attempts: 2, backoff: 20 });

    const job = await settled(queue, added.id, 'failed');

    expect(processor.callsOf(added.id)).toHaveLength(2);
    expect(job.attemptsMade).toBe(2);
    expect(job.failedReason).toBe('doomed attempt 2');
    expect(job.stacktrace).toHaveLength(2);
    expect(job.finishedOn).toEqual(expect.any(Number));
    expect((await queue.getJobCounts()).failed).toBeGreaterThanOrEqual(1);
    await eventually(() => processor.events.includes(`failed:${added.id}:doomed attempt 2`), 'the failed listener');
    expect(processor.events).toContain(`failed:${added.id}:doomed attempt 1`);
  });

  it('shows the progress and logs of a running job through getJob', async () => {
    const key = randomUUID();
    const added = await queue.add('gated', { key });

    const running = await eventually(async () => {
      const job = await queue.getJob(added.id);
      return job && job.progress() === 50 && (await job.getState()) === 'active' ? job : undefined;
    }, 'progress 50');
    expect(running.progress()).toBe(50);
    const backend = moduleRef.get<Pick<Queue, 'getJobLogs'>>(getQueueToken(QUEUE));
    expect((await backend.getJobLogs(added.id)).logs).toEqual(['halfway']);

    processor.gate(key).open();
    const job = await settled(queue, added.id, 'completed');
    expect(job.progress()).toBe(100);
    expect(job.returnvalue).toBe('opened');
  });

  it('runs as many jobs of a handler at once as its concurrency', async () => {
    const keys = [randomUUID(), randomUUID()];
    processor.maxRunning = 0;
    const jobs = await Promise.all(keys.map((key) => queue.add('gated', { key })));

    await eventually(() => processor.running === 2, 'two gated jobs running together');

    keys.forEach((key) => processor.gate(key).open());
    await Promise.all(jobs.map((job) => settled(queue, job.id, 'completed')));
  });

  it('holds a delayed job until its delay has passed', async () => {
    const added = await queue.add('echo', { value: 'later' }, { delay: 150 });

    expect(await (await queue.getJob(added.id))?.getState()).toBe('delayed');
    const job = await settled(queue, added.id, 'completed');
    expect((job.processedOn ?? 0) - job.timestamp).toBeGreaterThanOrEqual(145);
  });

  it('accepts a jobId once', async () => {
    const jobId = `dedupe-${randomUUID()}`;

    const first = await queue.add('echo', { value: 'first' }, { jobId });
    const second = await queue.add('echo', { value: 'second' }, { jobId });

    expect(String(second.id)).toBe(String(first.id));
    const job = await settled(queue, first.id, 'completed');
    expect(job.data).toEqual({ value: 'first' });
    expect(processor.callsOf(first.id)).toHaveLength(1);
  });

  it('removes a completed job at once with removeOnComplete: true', async () => {
    const added = await queue.add('echo', { value: 'gone' }, { removeOnComplete: true });

    await eventually(() => processor.events.includes(`completed:${added.id}`), 'the completed listener');

    expect(await queue.getJob(added.id)).toBeNull();
  });

  it('fails a job that no processor handles, as Bull does', async () => {
    const added = await queue.add('unknown-job', {}, { attempts: 1 });

    const job = await settled(queue, added.id, 'failed');

    expect(job.failedReason).toBe('Missing process handler for job type unknown-job');
  });

  it('counts jobs by state', async () => {
    const added = await queue.add('echo', { value: 'next minute' }, { delay: 60_000 });

    const counts = await queue.getJobCounts();

    expect(counts).toEqual(expect.objectContaining({ delayed: 1, active: 0, waiting: 0 }));
    expect(counts.completed).toBeGreaterThanOrEqual(1);
    expect(counts.failed).toBeGreaterThanOrEqual(1);
    await (await queue.getJob(added.id))?.remove();
    expect((await queue.getJobCounts()).delayed).toBe(0);
  });

  if (driver === 'bull') {
    it('leaves jobs of an API process with RUN_PROCESSORS=false to a worker', async () => {
      const apiPrefix = `${prefix}-split`;
      const apiProviders = selectProcessorProviders([ContractProcessor], {
        redisUrl,
        runProcessors: false,
        worker: false,
      });
      const api = await createApp(redisUrl, apiPrefix, apiProviders);
      let worker: TestingModule | undefined;
      try {
        const apiQueue = api.get<JobQueue<ContractJobs>>(getJobQueueToken(QUEUE));
        const added = await apiQueue.add('echo', { value: 'for the worker' });
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(await (await apiQueue.getJob(added.id))?.getState()).toBe('waiting');

        worker = await createApp(redisUrl, apiPrefix, [ContractProcessor]);

        const job = await settled(apiQueue, added.id, 'completed');
        expect(job.returnvalue).toEqual({ echoed: 'for the worker' });
      } finally {
        await worker?.close();
        await api.close();
        await deleteKeys(redisUrl as string, apiPrefix);
      }
    });
  }
});
