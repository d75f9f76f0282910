// API keys as clients and servers see them: the scopes a key can carry, and its secret's format
// (generation, hashing, constant-time comparison). Servers store only the hash.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a key may do: send data, read it, manage keys and settings. */
export type Scope = 'ingest' | 'read' | 'admin';
export const SCOPES: readonly Scope[] = ['ingest', 'read', 'admin'];

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
