import { describeRedisUrl, redisOptionsFromUrl } from './redis-options';

describe('redisOptionsFromUrl', () => {
  it('reads host, port, credentials and database', () => {
    expect(redisOptionsFromUrl('redis://user:p%40ss@cache.internal:6380/2')).toEqual({
      host: 'cache.internal',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 2,
    });
  });

  it('defaults to port 6379 and turns TLS on for rediss', () => {
    expect(redisOptionsFromUrl('rediss://:secret@cache.example.com')).toEqual({
      host: 'cache.example.com',
      port: 6379,
      password: 'secret',
      tls: {},
    });
  });

  it('accepts IPv6 hosts', () => {
    expect(redisOptionsFromUrl('redis://[::1]:6379').host).toBe('::1');
  });

  it('rejects a database that is not a number', () => {
    expect(() => redisOptionsFromUrl('redis://localhost/cache')).toThrow('is a number');
  });

  it('describes a URL without its credentials', () => {
    expect(describeRedisUrl('redis://user:secret@cache:6380/1')).toBe('cache:6380/1');
  });
});
