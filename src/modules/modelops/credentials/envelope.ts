import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A key-encryption key: 32 bytes and the version stored beside every data key it wraps. */
export interface Kek {
  version: string;
  key: Buffer;
}

/** What a credential row stores: the secret under its data key, the data key under a KEK. */
export interface SealedSecret {
  secretCiphertext: Buffer;
  wrappedDataKey: Buffer;
  kekVersion: string;
}

const FORMAT_V1 = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Associated data: binds a ciphertext to the credential id (and to its role), so it cannot be moved. */
const secretAad = (credentialId: string) => Buffer.from(`flightdeck.modelops.credential.secret.v1:${credentialId}`);
const dataKeyAad = (credentialId: string) => Buffer.from(`flightdeck.modelops.credential.data-key.v1:${credentialId}`);

/** AES-256-GCM: `0x01 | iv(12) | tag(16) | ciphertext`. */
export function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_V1]), iv, cipher.getAuthTag(), ciphertext]);
}

/** Throws when the key, the associated data or a single bit of the blob is wrong. */
export function decrypt(key: Buffer, blob: Buffer, aad: Buffer): Buffer {
  if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== FORMAT_V1) throw new Error('unknown ciphertext format');
  const iv = blob.subarray(1, 1 + IV_BYTES);
  const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/** Envelope encryption of one credential's secret: a fresh random 32-byte data key, wrapped by `kek`. */
export function sealSecret(secret: string, credentialId: string, kek: Kek): SealedSecret {
  const dataKey = randomBytes(32);
  try {
    return {
      secretCiphertext: encrypt(dataKey, Buffer.from(secret, 'utf8'), secretAad(credentialId)),
      wrappedDataKey: encrypt(kek.key, dataKey, dataKeyAad(credentialId)),
      kekVersion: kek.version,
    };
  } finally {
    dataKey.fill(0);
  }
}

/** The data key, unwrapped by the first of `keks` that authenticates it; throws when none does. */
export function unwrapDataKey(wrapped: Buffer, credentialId: string, keks: Kek[]): Buffer {
  for (const kek of keks) {
    try {
      return decrypt(kek.key, wrapped, dataKeyAad(credentialId));
    } catch {
      // try the next key of that version
    }
  }
  throw new Error('no key-encryption key unwraps the data key');
}

export function wrapDataKey(dataKey: Buffer, credentialId: string, kek: Kek): Buffer {
  return encrypt(kek.key, dataKey, dataKeyAad(credentialId));
}

/** The secret of a sealed credential; throws when it was moved to another id or tampered with. */
export function openSecret(sealed: SealedSecret, credentialId: string, keks: Kek[]): string {
  const dataKey = unwrapDataKey(sealed.wrappedDataKey, credentialId, keks);
  try {
    return decrypt(dataKey, sealed.secretCiphertext, secretAad(credentialId)).toString('utf8');
  } finally {
    dataKey.fill(0);
  }
}

/** The data key rewrapped by `to`; the secret ciphertext is untouched. */
export function rewrapDataKey<T extends Pick<SealedSecret, 'wrappedDataKey' | 'kekVersion'>>(
  sealed: T,
  credentialId: string,
  from: Kek[],
  to: Kek,
): T {
  const dataKey = unwrapDataKey(sealed.wrappedDataKey, credentialId, from);
  try {
    return { ...sealed, wrappedDataKey: wrapDataKey(dataKey, credentialId, to), kekVersion: to.version };
  } finally {
    dataKey.fill(0);
  }
}

/**
 * What responses show of a secret: its first three and last four characters (`sk-...abcd`), or
 * only a fixed mask when the secret is too short to give away that much.
 */
export function maskSecret(secret: string): string {
  if (secret.length < 16) return `...${secret.length >= 10 ? secret.slice(-2) : ''}`.padStart(5, '*');
  return `${secret.slice(0, 3)}...${secret.slice(-4)}`;
}
