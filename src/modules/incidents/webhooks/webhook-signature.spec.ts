import { createHmac } from 'node:crypto';
import {
  computeSignature,
  generateWebhookSecret,
  parseSignatureHeader,
  secretHint,
  signatureHeader,
  verifySignature,
} from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test-secret-0123456789abcdefghijklmnop';
  const body = '{"id":"evt","type":"ping","data":{"n":1}}';
  const t = 1_767_225_600;

  it('signs "<t>.<raw body>" with HMAC-SHA256 under the whole secret string', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(computeSignature(secret, t, body)).toBe(expected);
    expect(signatureHeader(secret, t, body)).toBe(`t=${t},v1=${expected}`);
  });

  it('signs bytes and text alike', () => {
    expect(computeSignature(secret, t, Buffer.from(body))).toBe(computeSignature(secret, t, body));
  });

  it('verifies its own header within the tolerance', () => {
    expect(verifySignature(secret, signatureHeader(secret, t, body), body, { nowSeconds: t + 299 })).toBe(true);
  });

  it('rejects another body, another secret, or a timestamp outside the tolerance', () => {
    const header = signatureHeader(secret, t, body);
    expect(verifySignature(secret, header, `${body} `, { nowSeconds: t })).toBe(false);
    expect(verifySignature(`${secret}x`, header, body, { nowSeconds: t })).toBe(false);
    expect(verifySignature(secret, header, body, { nowSeconds: t + 301 })).toBe(false);
    expect(verifySignature(secret, header, body, { nowSeconds: t - 301 })).toBe(false);
  });

  it('rejects a header whose timestamp was changed (the timestamp is signed)', () => {
    const [, v1] = signatureHeader(secret, t, body).split(',');
    expect(verifySignature(secret, `t=${t + 1},${v1}`, body, { nowSeconds: t })).toBe(false);
  });

  it('accepts a header when any of several v1 signatures matches', () => {
    const good = computeSignature(secret, t, body);
    const other = computeSignature('whsec_old', t, body);
    expect(verifySignature(secret, `t=${t},v1=${other},v1=${good}`, body, { nowSeconds: t })).toBe(true);
  });

  it('parses only well-formed parts and refuses headers without a timestamp or a signature', () => {
    const good = computeSignature(secret, t, body);
    expect(parseSignatureHeader(` t=${t} , v0=abc, v1=${good.toUpperCase()}`)).toEqual({
      timestamp: t,
      signatures: [good],
    });
    expect(parseSignatureHeader(`v1=${good}`)).toBeNull();
    expect(parseSignatureHeader(`t=${t}`)).toBeNull();
    expect(parseSignatureHeader(`t=${t},v1=nothex`)).toBeNull();
    expect(verifySignature(secret, 'garbage', body)).toBe(false);
  });

  it('generates distinct whsec_ secrets and shows only a hint of them', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(secretHint(a)).toBe(`whsec_...${a.slice(-4)}`);
    expect(secretHint(a)).not.toContain(a.slice(6, -4));
  });
});
