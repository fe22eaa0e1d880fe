import { isISO8601 } from 'class-validator';
import type { EventInput } from '../ingest/ingest.types';

/** The form SDKs send (RFC 3339); anything else is judged by the strict ISO-8601 validator. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two ASCII digits at `i` as a number (the regex has already checked that they are digits). */
const twoDigits = (value: string, i: number) => (value.charCodeAt(i) - 48) * 10 + value.charCodeAt(i + 1) - 48;

/** Checked for every event of every batch, so it reads the digits in place and allocates nothing. */
function isTimestamp(value: string): boolean {
  if (!RFC3339.test(value)) return isISO8601(value, { strict: true });
  const year = twoDigits(value, 0) * 100 + twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  // A real calendar date and time of day: 2026-02-30 is refused, not rolled over to March.
  return (
    day <= DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0) &&
    twoDigits(value, 11) < 24 &&
    twoDigits(value, 14) < 60 &&
    twoDigits(value, 17) < 60
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
