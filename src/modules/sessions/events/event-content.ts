/** JSON with object keys sorted, so equal content always serializes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

const normalizeTimestamp = (timestamp: string | Date | null | undefined) =>
  timestamp === null || timestamp === undefined ? '' : new Date(timestamp).toISOString();

export interface EventContent {
  type: string;
  timestamp?: string | Date | null;
  payload: unknown;
}

/**
 * Whether two events carry the same content (type, client timestamp, payload), whatever the key
 * order of their payloads. Only retries reach this: an idempotency key seen before.
 */
export function sameContent(a: EventContent, b: EventContent): boolean {
  return (
    a.type === b.type &&
    normalizeTimestamp(a.timestamp) === normalizeTimestamp(b.timestamp) &&
    canonicalJson(a.payload) === canonicalJson(b.payload)
  );
}
