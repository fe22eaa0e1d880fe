import { isISO8601 } from 'class-validator';
import type { EventInput } from '../ingest/ingest.types';

/** The form SDKs send (RFC 3339); anything else is judged by the strict ISO-8601 validator. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

function isTimestamp(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m) return isISO8601(value, { strict: true });
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  // A real calendar date and time of day: Date.UTC would roll 2026-02-30 over to March.
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60
  );
}

const ENVELOPE_KEYS = new Set(['seq', 'idempotency_key', 'type', 'timestamp', 'payload']);
/** 1..200 UTF-16 units is certainly 1..200 characters (class-validator's Length counts code points). */
const isShortText = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= 200;

/**
 * True only when `raw` certainly passes the rules of EventInputDto (known keys, seq,
 * idempotency_key, type, optional strict ISO-8601 timestamp, object payload). It allocates
 * nothing, so the ingestion hot path skips class-transformer and class-validator; an event it
 * does not accept goes through the DTO check, which words the errors.
 */
export function isValidEnvelope(raw: object): raw is EventInput & { seq: number } {
  const event = raw as Record<string, unknown>;
  for (const key in event) if (!ENVELOPE_KEYS.has(key)) return false;
  const { seq, timestamp, payload } = event;
  return (
    typeof seq === 'number' &&
    Number.isSafeInteger(seq) &&
    seq >= 1 &&
    isShortText(event.idempotency_key) &&
    isShortText(event.type) &&
    (timestamp === undefined || (typeof timestamp === 'string' && isTimestamp(timestamp))) &&
    typeof payload === 'object' &&
    payload !== null &&
    !Array.isArray(payload)
  );
}
