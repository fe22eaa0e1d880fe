import { processorProviders, selectProcessorProviders } from './queue-role';

class SomeProcessor {}
class OtherProcessor {}

describe('processor providers', () => {
  const redisUrl = 'redis://127.0.0.1:6379';

  it('are left out of an API process with RUN_PROCESSORS=false on Redis', () => {
    expect(
      selectProcessorProviders([SomeProcessor, OtherProcessor], {
        redisUrl,
        runProcessors: false,
        worker: false,
      }),
    ).toEqual([]);
  });

  it('are kept in an API process that runs processors', () => {
    expect(
      selectProcessorProviders([SomeProcessor], {
        redisUrl,
        runProcessors: true,
        worker: false,
      }),
    ).toEqual([SomeProcessor]);
  });

  it('are kept in a worker whatever RUN_PROCESSORS says', () => {
    expect(
      selectProcessorProviders([SomeProcessor], {
        redisUrl,
        runProcessors: false,
        worker: true,
      }),
    ).toEqual([SomeProcessor]);
  });

  it('are kept without Redis, where no other process could run the jobs', () => {
    expect(
      selectProcessorProviders([SomeProcessor], {
        redisUrl: undefined,
        runProcessors: false,
        worker: false,
      }),
    ).toEqual([SomeProcessor]);
  });

  it('follow the validated environment (RUN_PROCESSORS defaults to true)', () => {
    expect(processorProviders(SomeProcessor, OtherProcessor)).toEqual([SomeProcessor, OtherProcessor]);
  });
});
