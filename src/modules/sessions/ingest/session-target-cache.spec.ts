import { SessionTargetCache } from './session-target-cache';

const target = (n: number) => ({ sessionId: `s${n}`, workspaceId: 'w', projectId: 'p' });

describe('SessionTargetCache', () => {
  it('returns what it remembered and forgets on request', () => {
    const cache = new SessionTargetCache(10);
    cache.remember(target(1));
    expect(cache.get('s1')).toEqual(target(1));
    cache.forget('s1');
    expect(cache.get('s1')).toBeUndefined();
  });

  it('evicts the least recently used session beyond its capacity', () => {
    const cache = new SessionTargetCache(2);
    cache.remember(target(1));
    cache.remember(target(2));
    cache.get('s1');
    cache.remember(target(3));
    expect(cache.size).toBe(2);
    expect(cache.get('s2')).toBeUndefined();
    expect(cache.get('s1')).toEqual(target(1));
    expect(cache.get('s3')).toEqual(target(3));
  });
});
