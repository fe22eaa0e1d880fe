import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import type { AllConfig } from 'src/config/configuration';
import { SessionsEvents } from 'src/modules/sessions/sessions.events';
import { StreamFanout } from './stream-fanout';
import type { StreamRepository } from './stream.repository';
import { testRedisUrl } from 'test/setup/services';

const redisUrl = testRedisUrl() ?? 'redis://127.0.0.1:6379';

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** One process's fanout: its own in-process commit events, the database heads stubbed. */
function processFanout(url: string | undefined) {
  const events = new SessionsEvents();
  const config = { getOrThrow: () => ({ redisUrl: url }) } as unknown as ConfigService<AllConfig, true>;
  const repository = { getHeads: () => Promise.resolve(new Map<string, number>()) } as unknown as StreamRepository;
  const fanout = new StreamFanout(config, events, repository);
  fanout.onModuleInit();
  const commit = (workspaceId: string, head: number) =>
    events.emitCommitted({ workspaceId, head, sessionIds: [], endedSessionIds: [], lateSessionIds: [] });
  return { fanout, commit };
}

const waitUntil = async (done: () => boolean, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('StreamFanout', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  it('wakes local listeners of the committed workspace only, and forgets them when unregistered', async () => {
    const { fanout, commit } = processFanout(undefined);
    try {
      const [w1, w2] = [randomUUID(), randomUUID()];
      const heads: (number | undefined)[] = [];
      const unregister = await fanout.register(w1, (head) => heads.push(head));
      commit(w2, 4);
      commit(w1, 5);
      expect(heads).toEqual([5]);
      unregister();
      commit(w1, 6);
      expect(heads).toEqual([5]);
      expect(fanout.listenerCount).toBe(0);
    } finally {
      fanout.onModuleDestroy();
    }
  });

  it('keeps streaming locally, without waiting, when Redis cannot be reached', async () => {
    const { fanout, commit } = processFanout('redis://127.0.0.1:1');
    try {
      const workspaceId = randomUUID();
      const heads: (number | undefined)[] = [];
      const started = Date.now();
      await fanout.register(workspaceId, (head) => heads.push(head));
      expect(Date.now() - started).toBeLessThan(5000);
      commit(workspaceId, 3); // publishing is skipped, never queued, never thrown
      expect(heads).toEqual([3]);
    } finally {
      fanout.onModuleDestroy();
    }
  });

  it('carries commits to the other processes through Redis, once each', async () => {
    if (!(await redisAnswers(redisUrl))) {
      console.warn(`no Redis answers at ${redisUrl}: cross-process fanout not exercised`);
      return;
    }
    const a = processFanout(redisUrl);
    const b = processFanout(redisUrl);
    try {
      const workspaceId = randomUUID();
      const seenByA: (number | undefined)[] = [];
      const seenByB: (number | undefined)[] = [];
      await a.fanout.register(workspaceId, (head) => seenByA.push(head));
      await b.fanout.register(workspaceId, (head) => seenByB.push(head));
      await waitUntil(() => seenByA.length === 0); // settle
      a.commit(workspaceId, 11);
      a.commit(randomUUID(), 12); // another workspace: nobody here listens
      await waitUntil(() => seenByB.includes(11));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seenByA.filter((h) => h === 11)).toEqual([11]); // its own publication is not delivered twice
      expect(seenByB.filter((h) => h !== undefined)).toEqual([11]);
    } finally {
      a.fanout.onModuleDestroy();
      b.fanout.onModuleDestroy();
    }
  });
});
