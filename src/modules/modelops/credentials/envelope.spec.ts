import { randomBytes, randomUUID } from 'node:crypto';
import { decrypt, encrypt, Kek, maskSecret, openSecret, rewrapDataKey, sealSecret } from './envelope';

const kek = (version: string): Kek => ({ version, key: randomBytes(32) });

describe('credential envelope', () => {
  const id = randomUUID();
  const secret = 'sk-test-0123456789abcdefghijklmnop';

  it('seals with a fresh data key each time and opens with the same id', () => {
    const k1 = kek('v1');
    const a = sealSecret(secret, id, k1);
    const b = sealSecret(secret, id, k1);
    expect(a.secretCiphertext.equals(b.secretCiphertext)).toBe(false);
    expect(a.wrappedDataKey.equals(b.wrappedDataKey)).toBe(false);
    expect(a.kekVersion).toBe('v1');
    expect(a.secretCiphertext.toString('latin1')).not.toContain(secret);
    expect(openSecret(a, id, [k1])).toBe(secret);
  });

  it('refuses a sealed secret moved to another credential id', () => {
    const k1 = kek('v1');
    const sealed = sealSecret(secret, id, k1);
    expect(() => openSecret(sealed, randomUUID(), [k1])).toThrow();
  });

  it('binds the secret ciphertext itself to the id, even with the right data key', () => {
    const dataKey = randomBytes(32);
    const blob = encrypt(dataKey, Buffer.from(secret), Buffer.from(`aad:${id}`));
    expect(decrypt(dataKey, blob, Buffer.from(`aad:${id}`)).toString()).toBe(secret);
    expect(() => decrypt(dataKey, blob, Buffer.from(`aad:${randomUUID()}`))).toThrow();
  });

  it('refuses a wrong key and a flipped bit', () => {
    const sealed = sealSecret(secret, id, kek('v1'));
    expect(() => openSecret(sealed, id, [kek('v1')])).toThrow();
    const k = kek('v1');
    const good = sealSecret(secret, id, k);
    const flipped = Buffer.from(good.secretCiphertext);
    flipped[flipped.length - 1] ^= 1;
    expect(() => openSecret({ ...good, secretCiphertext: flipped }, id, [k])).toThrow();
  });

  it('rewraps only the data key on rotation', () => {
    const old = kek('v1');
    const next = kek('v2');
    const sealed = sealSecret(secret, id, old);
    const rotated = rewrapDataKey(sealed, id, [old], next);
    expect(rotated.kekVersion).toBe('v2');
    expect(rotated.secretCiphertext.equals(sealed.secretCiphertext)).toBe(true);
    expect(rotated.wrappedDataKey.equals(sealed.wrappedDataKey)).toBe(false);
    expect(openSecret(rotated, id, [next])).toBe(secret);
    expect(() => openSecret(rotated, id, [old])).toThrow();
  });

  it('masks long secrets as sk-...abcd and short ones without their start', () => {
    expect(maskSecret('sk-proj-abcdefghijklmnopqrstuvwxyz1234')).toBe('sk-...1234');
    expect(maskSecret('short')).toBe('**...');
    expect(maskSecret('0123456789ab')).toBe('...ab');
  });
});
