import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_SECRET_PREFIX } from './webhooks.constants';

/**
 * Signatures of webhook deliveries, as Stripe and Standard Webhooks make them:
 *
 *   Flightdeck-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
 *
 * The HMAC key is the whole secret string (`whsec_...`, UTF-8). The timestamp is signed too, so
 * a receiver that rejects old timestamps is safe from replays. Several `v1=` entries may appear
 * (a receiver accepts the delivery when any of them matches), which leaves room for signing with
 * an old and a new secret during a rotation.
 */
export const SIGNATURE_SCHEME = 'v1';

/** A new signing secret: `whsec_` and 32 random bytes in base64url. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** What responses show of a secret: its prefix and last four characters. */
export function secretHint(secret: string): string {
  return `${WEBHOOK_SECRET_PREFIX}...${secret.slice(-4)}`;
}

/** Hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`. */
export function computeSignature(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The `Flightdeck-Signature` header value of `body` sent at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, timestamp: number, body: string | Buffer): string {
  return `t=${timestamp},${SIGNATURE_SCHEME}=${computeSignature(secret, timestamp, body)}`;
}

export interface ParsedSignature {
  timestamp: number;
  signatures: string[];
}

/** `t=...,v1=...[,v1=...]` → its parts; null when there is no timestamp or no v1 signature. */
export function parseSignatureHeader(header: string): ParsedSignature | null {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === SIGNATURE_SCHEME && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  return timestamp === undefined || signatures.length === 0 ? null : { timestamp, signatures };
}

/**
 * What a receiver does (the README's recipe): true when one `v1` signature of the header matches
 * the HMAC of the raw body and the timestamp lies within `toleranceSeconds` of `nowSeconds`.
 * Comparison in constant time.
 */
export function verifySignature(
  secret: string,
  header: string,
  body: string | Buffer,
  options: { toleranceSeconds?: number; nowSeconds?: number } = {},
): boolean {
  const parsed = parseSignatureHeader(header);
  if (!parsed) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - parsed.timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(computeSignature(secret, parsed.timestamp, body), 'hex');
  return parsed.signatures.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'hex'), expected));
}
