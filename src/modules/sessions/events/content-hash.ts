import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** What makes two events "the same content": type, client timestamp and payload. */
export function eventContentHash(type: string, timestamp: string | null | undefined, payload: unknown): string {
  return createHash('sha256')
    .update(canonicalJson({ type, timestamp: timestamp ?? null, payload }))
    .digest('base64url');
}
