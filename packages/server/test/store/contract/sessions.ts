// Contract: dashboard sessions and one-time sign-in links, shared by every store on a database
// (replicas) and kept across restarts.
import { describe, expect } from 'vitest';
import type { DashboardSessionRow } from '../../../src/store/store.js';
import type { ContractContext } from '../store-contract.js';
import { DAY, T0 } from './fixtures.js';

const row = (id: string, extra: Partial<DashboardSessionRow> = {}): DashboardSessionRow => ({
  id_hash: id, project_id: 1, key_id: 'vk_1', key_hash: 'ab'.repeat(32), scopes: ['read', 'admin'], expires_at: T0 + DAY, ...extra,
});

export function sessionsContract({ test, replicas }: ContractContext): void {
  describe('dashboard sessions', () => {
    test('a session stored by one store is found by another, until it is deleted', async () => {
      const [a, b] = await replicas(2);
      await a!.putDashboardSession(row('s1'), T0);
      await a!.putDashboardSession(row('s2', { key_hash: null, scopes: [], key_id: 'sign-in-link' }), T0);
      expect(await b!.getDashboardSession('s1')).toEqual(row('s1'));
      expect(await b!.getDashboardSession('s2')).toEqual(row('s2', { key_hash: null, scopes: [], key_id: 'sign-in-link' }));
      expect(await b!.getDashboardSession('nope')).toBeNull();
      await b!.deleteDashboardSession('s1');
      expect(await a!.getDashboardSession('s1')).toBeNull();
    });

    test("a key's sessions end together; expired sessions go when a new one is stored", async () => {
      const [store] = await replicas(1);
      await store!.putDashboardSession(row('k1'), T0);
      await store!.putDashboardSession(row('k2'), T0);
      await store!.putDashboardSession(row('other', { key_id: 'vk_2' }), T0);
      await store!.putDashboardSession(row('old', { key_id: 'vk_3', expires_at: T0 + 10 }), T0);
      await store!.deleteDashboardSessionsForKey('vk_1');
      expect(await store!.getDashboardSession('k1')).toBeNull();
      expect(await store!.getDashboardSession('k2')).toBeNull();
      expect(await store!.getDashboardSession('other')).not.toBeNull();
      expect(await store!.getDashboardSession('old')).not.toBeNull();
      await store!.putDashboardSession(row('new'), T0 + 10);
      expect(await store!.getDashboardSession('old')).toBeNull();
      expect(await store!.getDashboardSession('other')).not.toBeNull();
    });

    test('a sign-in link is taken once, by whichever store asks first', async () => {
      const [a, b, c] = await replicas(3);
      await a!.putSignInLink(row('t1', { key_hash: null }), T0);
      const taken = await Promise.all([b!.takeSignInLink('t1'), c!.takeSignInLink('t1'), a!.takeSignInLink('t1')]);
      expect(taken.filter((t) => t !== null)).toEqual([row('t1', { key_hash: null })]);
      expect(await a!.takeSignInLink('t1')).toBeNull();
      await a!.putSignInLink(row('expired', { expires_at: T0 + 5 }), T0);
      await a!.putSignInLink(row('t2'), T0 + 5);
      expect(await b!.takeSignInLink('expired')).toBeNull();
      expect(await b!.takeSignInLink('t2')).not.toBeNull();
    });
  });
}
