import type { ConfigService } from '@nestjs/config';
import type { AllConfig } from 'src/config/configuration';
import type { Principal } from 'src/modules/auth/principal';
import { ApiKeyPrincipalCache } from './api-key-principal-cache';

const principal = (apiKeyId: string): Principal => ({
  kind: 'api_key',
  userId: 'u1',
  email: 'a@example.com',
  isSuperadmin: false,
  workspaceId: 'w1',
  role: 'member',
  projectId: null,
  apiKeyId,
});

const cacheWithTtl = (apiKeyCacheTtlMs: number) =>
  new ApiKeyPrincipalCache({
    getOrThrow: () => ({ apiKeyCacheTtlMs }),
  } as unknown as ConfigService<AllConfig, true>);

describe('ApiKeyPrincipalCache', () => {
  afterEach(() => jest.useRealTimers());

  it('keeps a principal for the TTL, then forgets it', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const cache = cacheWithTtl(5_000);
    cache.set('h1', principal('k1'), null, cache.currentGeneration());
    expect(cache.get('h1')?.apiKeyId).toBe('k1');
    jest.setSystemTime(1_004_999);
    expect(cache.get('h1')?.apiKeyId).toBe('k1');
    jest.setSystemTime(1_005_000);
    expect(cache.get('h1')).toBeUndefined();
  });

  it('never keeps a principal past its key’s expiry', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const cache = cacheWithTtl(5_000);
    cache.set('h1', principal('k1'), new Date(1_001_000), cache.currentGeneration());
    jest.setSystemTime(1_001_000);
    expect(cache.get('h1')).toBeUndefined();
  });

  it('empties on invalidate and refuses a lookup that began before it', () => {
    const cache = cacheWithTtl(5_000);
    cache.set('h1', principal('k1'), null, cache.currentGeneration());
    const before = cache.currentGeneration();
    cache.invalidate();
    expect(cache.get('h1')).toBeUndefined();
    cache.set('h2', principal('k2'), null, before);
    expect(cache.get('h2')).toBeUndefined();
    cache.set('h2', principal('k2'), null, cache.currentGeneration());
    expect(cache.get('h2')?.apiKeyId).toBe('k2');
  });

  it('keeps nothing with a TTL of 0', () => {
    const cache = cacheWithTtl(0);
    cache.set('h1', principal('k1'), null, cache.currentGeneration());
    expect(cache.get('h1')).toBeUndefined();
  });

  it('drops the least recently used key beyond 10,000', () => {
    const cache = cacheWithTtl(5_000);
    for (let i = 0; i < 10_000; i++) cache.set(`h${i}`, principal(`k${i}`), null, 0);
    expect(cache.get('h0')?.apiKeyId).toBe('k0'); // now the most recently used
    cache.set('h10000', principal('k10000'), null, 0);
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h0')?.apiKeyId).toBe('k0');
    expect(cache.get('h10000')?.apiKeyId).toBe('k10000');
  });
});
