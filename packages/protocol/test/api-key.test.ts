import { describe, expect, it } from 'vitest';
import { generateKeyId, generateSecret, hashesEqual, hashSecret, SCOPES } from '../src/index.js';

describe('API keys', () => {
  it('has the three scopes of the data model', () => {
    expect(SCOPES).toEqual(['ingest', 'read', 'admin']);
  });

  it('makes secrets that scanners and people recognise, and ids unrelated to them', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^vgl_[A-Za-z0-9_-]{32}$/);
    expect(generateKeyId()).toMatch(/^vk_[0-9a-f]{12}$/);
    expect(generateSecret()).not.toBe(secret);
  });

  it('compares hashes, never secrets', () => {
    const secret = generateSecret();
    expect(hashSecret(secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashesEqual(hashSecret(secret), hashSecret(secret))).toBe(true);
    expect(hashesEqual(hashSecret(secret), hashSecret(generateSecret()))).toBe(false);
    expect(hashesEqual(hashSecret(secret), 'abcd')).toBe(false);
  });
});
