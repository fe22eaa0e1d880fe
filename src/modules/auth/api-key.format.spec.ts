import { API_KEY_PREFIX, generateApiKey, hashApiKey, looksLikeApiKey } from './api-key.format';

describe('API key format', () => {
  it('makes tp_live_ keys of at least 32 base62 characters', () => {
    const { key } = generateApiKey();
    expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(key.slice(API_KEY_PREFIX.length)).toMatch(/^[0-9A-Za-z]{32,}$/);
    expect(looksLikeApiKey(key)).toBe(true);
  });

  it('stores a SHA-256 hash and a short display prefix that does not reveal the secret', () => {
    const { key, hash, displayPrefix } = generateApiKey();
    expect(hash).toBe(hashApiKey(key));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.startsWith(displayPrefix)).toBe(true);
    expect(displayPrefix.length).toBe(API_KEY_PREFIX.length + 4);
  });

  it('never repeats a key', () => {
    const keys = new Set(Array.from({ length: 2000 }, () => generateApiKey().key));
    expect(keys.size).toBe(2000);
  });

  it('rejects values that are not keys', () => {
    for (const value of [
      '',
      'tp_live_short',
      'tp_test_' + 'a'.repeat(40),
      'eyJhbGciOi.x.y',
      `tp_live_${'a'.repeat(39)}!`,
    ]) {
      expect(looksLikeApiKey(value)).toBe(false);
    }
  });
});
