// Key secrets: generation, hashing and constant-time comparison. Only the hash is ever stored.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Secrets start with `vgl_` so that secret scanners and people recognise them. */
export function generateSecret(): string {
  return `vgl_${randomBytes(24).toString('base64url')}`;
}

/** A key's public id: short, random, unrelated to the secret. */
export function generateKeyId(): string {
  return `vk_${randomBytes(6).toString('hex')}`;
}

/** SHA-256 is enough here: secrets carry 192 bits of entropy, so no slow KDF is needed. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
