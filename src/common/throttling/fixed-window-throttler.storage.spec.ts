import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage';

describe('FixedWindowThrottlerStorage', () => {
  let storage: FixedWindowThrottlerStorage;
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    storage = new FixedWindowThrottlerStorage();
  });
  afterEach(() => {
    storage.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('counts hits per key and window, and blocks beyond the limit until the block ends', async () => {
    for (let i = 1; i <= 3; i++) {
      expect(await storage.increment('k', 60_000, 3, 10_000, 'default')).toMatchObject({
        totalHits: i,
        isBlocked: false,
      });
    }
    expect(await storage.increment('other', 60_000, 3, 10_000, 'default')).toMatchObject({ totalHits: 1 });
    const blocked = await storage.increment('k', 60_000, 3, 10_000, 'default');
    expect(blocked).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 10 });

    jest.advanceTimersByTime(10_001);
    // The block is over but the window is not: the next hit is over the limit again.
    expect(await storage.increment('k', 60_000, 3, 10_000, 'default')).toMatchObject({ isBlocked: true });
  });

  it('starts a new window when the old one has expired', async () => {
    await storage.increment('k', 1_000, 1, 0, 'default');
    expect(await storage.increment('k', 1_000, 1, 0, 'default')).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 1,
    });
    jest.advanceTimersByTime(1_001);
    expect(await storage.increment('k', 1_000, 1, 0, 'default')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
      timeToExpire: 1,
    });
  });

  it('forgets windows that have ended', async () => {
    await storage.increment('k', 1_000, 5, 0, 'default');
    jest.advanceTimersByTime(31_000);
    expect((storage as unknown as { windows: Map<string, unknown> }).windows.size).toBe(0);
  });
});
