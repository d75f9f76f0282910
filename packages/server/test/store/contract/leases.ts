// Contract: named leases (one holder at a time across stores, expiry, release, epochs).
import { describe, expect } from 'vitest';
import type { ContractContext } from '../store-contract.js';

export function leasesContract({ test, fresh, newDatabase }: ContractContext): void {
  describe('leases', () => {
    test('a free lease is granted and renewing it keeps the same epoch', async () => {
      const store = await fresh();
      const first = await store.tryAcquireLease('alert-evaluator', 'replica-a', 10_000);
      expect(first).toMatchObject({ held: true, holder: 'replica-a' });
      const again = await store.tryAcquireLease('alert-evaluator', 'replica-a', 10_000);
      expect(again).toMatchObject({ held: true, holder: 'replica-a', epoch: first.epoch });
      expect(again.expires_at).toBeGreaterThanOrEqual(first.expires_at);
    });

    test('a held lease is refused to another holder until it expires', async () => {
      const store = await fresh();
      const a = await store.tryAcquireLease('alert-evaluator', 'replica-a', 300);
      const b = await store.tryAcquireLease('alert-evaluator', 'replica-b', 300);
      expect(b).toMatchObject({ held: false, holder: 'replica-a', epoch: a.epoch });
      expect(await store.tryAcquireLease('other-lease', 'replica-b', 300)).toMatchObject({ held: true });
      await new Promise((r) => setTimeout(r, 400));
      const taken = await store.tryAcquireLease('alert-evaluator', 'replica-b', 10_000);
      expect(taken).toMatchObject({ held: true, holder: 'replica-b', epoch: a.epoch + 1 });
      expect(await store.tryAcquireLease('alert-evaluator', 'replica-a', 10_000)).toMatchObject({ held: false, holder: 'replica-b' });
    });

    test('a released lease goes to the next holder at once', async () => {
      const store = await fresh();
      const a = await store.tryAcquireLease('alert-evaluator', 'replica-a', 60_000);
      await store.releaseLease('alert-evaluator', 'replica-b'); // not the holder: no effect
      expect(await store.tryAcquireLease('alert-evaluator', 'replica-b', 60_000)).toMatchObject({ held: false });
      await store.releaseLease('alert-evaluator', 'replica-a');
      expect(await store.tryAcquireLease('alert-evaluator', 'replica-b', 60_000)).toMatchObject({ held: true, epoch: a.epoch + 1 });
    });

    test('replicas racing for a free lease: exactly one wins', async () => {
      const db = await newDatabase();
      const stores = [db.open(), db.open(), db.open()];
      await Promise.all(stores.map((s) => s.migrate()));
      const grants = await Promise.all(stores.flatMap((s, i) => [0, 1, 2].map((j) => s.tryAcquireLease('race', `replica-${i}-${j}`, 60_000))));
      expect(grants.filter((g) => g.held)).toHaveLength(1);
      const winner = grants.find((g) => g.held)!.holder;
      expect(grants.every((g) => g.holder === winner)).toBe(true);
    });
  });
}
