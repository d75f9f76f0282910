// Contract: projects and API keys (created, verified by secret, listed per project, revoked).
import { describe, expect } from 'vitest';
import { hashSecret } from '@vigil/protocol';
import type { ContractContext } from '../store-contract.js';
import { T0 } from './fixtures.js';

export function keysContract({ test, fresh }: ContractContext): void {
  describe('projects and keys', () => {
    test('ensureProject returns the same project for the same name', async () => {
      const store = await fresh();
      const a = await store.ensureProject('default');
      const b = await store.ensureProject('default');
      const c = await store.ensureProject('other');
      expect(b).toEqual(a);
      expect(c.id).not.toBe(a.id);
      expect(await store.getProject(a.id)).toEqual(a);
      expect(await store.getProject(a.id + c.id + 100)).toBeNull();
    });

    test('a created key verifies by its secret and carries its scopes', async () => {
      const store = await fresh(() => T0);
      const p = await store.ensureProject('default');
      const created = await store.createApiKey({ projectId: p.id, name: 'ci', scopes: ['ingest', 'read', 'ingest'] });
      expect(created.key).toMatch(/^vgl_/);
      expect(created.record).toMatchObject({ project_id: p.id, name: 'ci', scopes: ['ingest', 'read'], created_at: T0, revoked_at: null });
      expect(await store.verifyApiKey(created.key)).toEqual(created.record);
      expect(await store.verifyApiKey(`${created.key}x`)).toBeNull();
      expect(await store.verifyApiKey('')).toBeNull();
      expect(await store.verifyApiKeyHash(hashSecret(created.key))).toEqual(created.record);
      expect(await store.verifyApiKeyHash(hashSecret(`${created.key}x`))).toBeNull();
      expect(await store.verifyApiKeyHash('zz')).toBeNull();
    });

    test('a revoked key no longer verifies and revoking it again reports false', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const a = await store.createApiKey({ projectId: p.id, name: 'a', scopes: ['read'] });
      await store.createApiKey({ projectId: p.id, name: 'b', scopes: ['admin'] });
      expect(await store.countActiveApiKeys()).toBe(2);
      expect(await store.revokeApiKey(a.record.id)).toBe(true);
      expect(await store.revokeApiKey(a.record.id)).toBe(false);
      expect(await store.revokeApiKey('vk_unknown')).toBe(false);
      expect(await store.verifyApiKey(a.key)).toBeNull();
      expect(await store.verifyApiKeyHash(hashSecret(a.key))).toBeNull();
      expect(await store.countActiveApiKeys()).toBe(1);
      // Two keys made in the same millisecond have no defined order; compare by name.
      const listed = (await store.listApiKeys()).sort((x, y) => x.name.localeCompare(y.name));
      expect(listed.map((k) => k.name)).toEqual(['a', 'b']);
      expect(listed[0]!.revoked_at).not.toBeNull();
      expect(listed[1]!.revoked_at).toBeNull();
    });

    test('keys are listed per project', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const q = await store.ensureProject('other');
      await store.createApiKey({ projectId: p.id, name: 'p-key', scopes: ['read'] });
      await store.createApiKey({ projectId: q.id, name: 'q-key', scopes: ['read'] });
      expect((await store.listApiKeys(q.id)).map((k) => k.name)).toEqual(['q-key']);
      expect(await store.listApiKeys()).toHaveLength(2);
    });
  });
}
