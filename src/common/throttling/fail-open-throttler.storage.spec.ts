import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { FailOpenThrottlerStorage } from './fail-open-throttler.storage';

describe('FailOpenThrottlerStorage', () => {
  it('counts in memory while the shared store is unreachable, and still limits', async () => {
    // Nothing listens on port 1: every Redis command fails at once.
    const shared = new ThrottlerStorageRedisService('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    const storage = new FailOpenThrottlerStorage(shared);
    try {
      const records = [];
      for (let i = 0; i < 3; i++) records.push(await storage.increment('cred:x', 60_000, 2, 0, 'default'));
      expect(records.map((r) => r.totalHits)).toEqual([1, 2, 3]);
      expect(records[2].isBlocked).toBe(true);
    } finally {
      storage.onModuleDestroy();
    }
  });

  it('uses the shared store when it answers', async () => {
    const calls: string[] = [];
    const storage = new FailOpenThrottlerStorage({
      increment: (key) => {
        calls.push(key);
        return Promise.resolve({ totalHits: 7, timeToExpire: 1, isBlocked: false, timeToBlockExpire: 0 });
      },
    });
    expect((await storage.increment('k', 1000, 10, 0, 'default')).totalHits).toBe(7);
    expect(calls).toEqual(['k']);
    storage.onModuleDestroy();
  });
});
