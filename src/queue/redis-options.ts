import type { RedisOptions } from 'ioredis';

/**
 * ioredis options from a `redis://` or `rediss://` URL: host, port, user, password, database
 * number, and TLS for `rediss`. Bull's own URL parsing ignores `rediss`, hence this.
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`Not a redis:// or rediss:// URL (${parsed.protocol})`);
  }
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
  };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, '');
  if (db) {
    if (!/^\d+$/.test(db)) throw new Error(`The database of a Redis URL is a number, not "${db}"`);
    options.db = Number(db);
  }
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
}

/** `host:port/db` of a Redis URL, for log lines (never the credentials). */
export function describeRedisUrl(url: string): string {
  const { host, port, db } = redisOptionsFromUrl(url);
  return `${host}:${port}/${db ?? 0}`;
}
