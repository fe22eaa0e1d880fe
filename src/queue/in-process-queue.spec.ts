import { backoffDelay, InProcessJob, InProcessQueue } from './in-process-queue';
import { DEFAULT_JOB_OPTIONS } from './queue.constants';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}

describe('InProcessQueue', () => {
  const queues: InProcessQueue[] = [];
  let created = 0;
  const createQueue = (options?: ConstructorParameters<typeof InProcessQueue>[1]) => {
    const queue = new InProcessQueue(`unit-${++created}`, options);
    queues.push(queue);
    return queue;
  };

  afterEach(async () => {
    await Promise.all(queues.splice(0).map((queue) => queue.close(100)));
  });

  it('keeps a job waiting until a handler for its name is registered', async () => {
    const queue = createQueue();
    const job = await queue.add('later', { n: 1 });

    await queue.whenIdle(100);
    expect(await job.getState()).toBe('waiting');

    await queue.process('later', (j: InProcessJob<{ n: number }>) => j.data.n + 1);
    await queue.whenIdle(1_000);

    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toBe(2);
  });

  it('runs unnamed jobs on the default handler and other names on the * handler', async () => {
    const queue = createQueue();
    await queue.process(() => 'default');
    await queue.process('*', (job: InProcessJob) => `any:${job.name}`);

    const unnamed = await queue.add({ x: 1 });
    const named = await queue.add('whatever', {});
    await queue.whenIdle(1_000);

    expect(unnamed.returnvalue).toBe('default');
    expect(named.returnvalue).toBe('any:whatever');
  });

  it('accepts callback-style handlers', async () => {
    const queue = createQueue();
    await queue.process('cb', (_job: InProcessJob, done: (err?: Error | null, result?: unknown) => void) =>
      setImmediate(() => done(null, 'called back')),
    );

    const job = await queue.add('cb', {});

    await expect(job.finished()).resolves.toBe('called back');
  });

  it('merges the default job options under the job options key by key', async () => {
    const queue = createQueue({ defaultJobOptions: DEFAULT_JOB_OPTIONS });

    const job = await queue.add('x', {}, { attempts: 2, backoff: undefined });

    expect(job.opts).toEqual(
      expect.objectContaining({
        attempts: 2,
        backoff: DEFAULT_JOB_OPTIONS.backoff,
      }),
    );
  });

  it('never runs more jobs of a handler at once than its concurrency', async () => {
    const queue = createQueue();
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    await queue.process('slow', 2, async () => {
      maxRunning = Math.max(maxRunning, ++running);
      await gate.promise;
      running--;
    });

    const jobs = await Promise.all([1, 2, 3, 4].map(() => queue.add('slow', {})));
    await new Promise((resolve) => setImmediate(resolve));
    expect((await queue.getJobCounts()).active).toBe(2);
    gate.resolve();
    await queue.whenIdle(1_000);

    expect(maxRunning).toBe(2);
    expect(await Promise.all(jobs.map((job) => job.getState()))).toEqual(Array(4).fill('completed'));
  });

  it('starts jobs in priority order, lifo jobs first', async () => {
    const queue = createQueue();
    const order: string[] = [];
    await queue.add('job', 'plain');
    await queue.add('job', 'low', { priority: 5 });
    await queue.add('job', 'high', { priority: 1 });
    await queue.add('job', 'lifo', { lifo: true });

    await queue.process('job', (job: InProcessJob<string>) => order.push(job.data));
    await queue.whenIdle(1_000);

    expect(order).toEqual(['lifo', 'high', 'low', 'plain']);
  });

  it('fails an attempt that outlives the job timeout', async () => {
    const queue = createQueue();
    await queue.process('hang', () => new Promise(() => undefined));

    const job = await queue.add('hang', {}, { timeout: 20 });

    await expect(job.finished()).rejects.toThrow('Promise timed out after 20 milliseconds');
    expect(await job.getState()).toBe('failed');
  });

  it('stops retrying a discarded job', async () => {
    const queue = createQueue();
    let calls = 0;
    await queue.process('discard', async (job: InProcessJob) => {
      calls++;
      await job.discard();
      throw new Error('not worth retrying');
    });

    const job = await queue.add('discard', {}, { attempts: 5 });

    await expect(job.finished()).rejects.toThrow('not worth retrying');
    expect(calls).toBe(1);
  });

  it('keeps the newest completed jobs up to removeOnComplete', async () => {
    const queue = createQueue();
    await queue.process('x', () => 'ok');

    const jobs = [];
    for (let i = 0; i < 4; i++) {
      jobs.push(await queue.add('x', { i }, { removeOnComplete: 2 }));
      await queue.whenIdle(1_000);
    }

    expect(await queue.getJob(jobs[0].id)).toBeNull();
    expect(await queue.getJob(jobs[1].id)).toBeNull();
    expect(await queue.getJob(jobs[3].id)).toBe(jobs[3]);
    expect((await queue.getJobCounts()).completed).toBe(2);
  });

  it('retries a failed job on request and removes a finished one', async () => {
    const queue = createQueue();
    let fail = true;
    await queue.process('x', () => {
      if (fail) throw new Error('first time');
      return 'second time';
    });
    const job = await queue.add('x', {});
    await queue.whenIdle(1_000);
    expect(job.failedReason).toBe('first time');

    fail = false;
    await job.retry();
    await queue.whenIdle(1_000);
    expect(job.returnvalue).toBe('second time');
    await expect(job.retry()).rejects.toThrow('not in the failed state');

    await job.remove();
    expect(await queue.getJob(job.id)).toBeNull();
  });

  it('emits progress, completed and failed events with the job', async () => {
    const queue = createQueue();
    const events: unknown[][] = [];
    queue.on('progress', (job: InProcessJob, progress) => events.push(['progress', job.id, progress]));
    queue.on('completed', (job: InProcessJob, result) => events.push(['completed', job.id, result]));
    queue.on('failed', (job: InProcessJob, err: Error) => events.push(['failed', job.id, err.message]));
    await queue.process('x', async (job: InProcessJob<{ fail: boolean }>) => {
      await job.progress({ step: 1 });
      if (job.data.fail) throw new Error('nope');
      return 'yes';
    });

    const ok = await queue.add('x', { fail: false });
    const ko = await queue.add('x', { fail: true });
    await queue.whenIdle(1_000);

    expect(events).toEqual(
      expect.arrayContaining([
        ['progress', ok.id, { step: 1 }],
        ['completed', ok.id, 'yes'],
        ['failed', ko.id, 'nope'],
      ]),
    );
  });

  it('rejects in whenIdle when the queue stays busy', async () => {
    const queue = createQueue();
    await queue.process('hang', () => new Promise(() => undefined));
    await queue.add('hang', {});

    await expect(queue.whenIdle(20)).rejects.toThrow('still busy after 20 ms: 1 active');
  });

  it('waits for running jobs when closing, drops delayed ones and refuses new jobs', async () => {
    const queue = createQueue();
    const gate = deferred();
    let finished = false;
    await queue.process('slow', async () => {
      await gate.promise;
      finished = true;
    });
    await queue.add('slow', {});
    const delayed = await queue.add('slow', {}, { delay: 60_000 });
    await new Promise((resolve) => setImmediate(resolve));

    const closing = queue.close(1_000);
    setTimeout(gate.resolve, 20);
    await closing;

    expect(finished).toBe(true);
    expect(await delayed.getState()).toBe('delayed');
    await expect(queue.add('slow', {})).rejects.toThrow('is closed');
  });

  it('gives up on a job that outlives the close timeout', async () => {
    const queue = createQueue();
    await queue.process('hang', () => new Promise(() => undefined));
    await queue.add('hang', {});
    await new Promise((resolve) => setImmediate(resolve));

    await expect(queue.close(30)).resolves.toBeUndefined();
  });

  it('refuses repeatable jobs and unknown backoff strategies when they are added', async () => {
    const queue = createQueue();

    await expect(queue.add('x', {}, { repeat: { every: 1_000 } })).rejects.toThrow('Redis');
    await expect(queue.add('x', {}, { backoff: { type: 'jittered', delay: 1 } })).rejects.toThrow(
      'Unknown backoff strategy jittered',
    );
  });
});

describe('backoffDelay', () => {
  it('reads a number as a fixed delay', () => {
    expect([1, 2, 3].map((attemptsMade) => backoffDelay(250, attemptsMade))).toEqual([250, 250, 250]);
  });

  it('doubles exponential delays as Bull does', () => {
    const backoff = { type: 'exponential', delay: 1_000 };
    expect([1, 2, 3, 4].map((attemptsMade) => backoffDelay(backoff, attemptsMade))).toEqual([
      1_000, 3_000, 7_000, 15_000,
    ]);
  });

  it('has no delay without a backoff', () => {
    expect(backoffDelay(undefined, 1)).toBeUndefined();
  });
});
