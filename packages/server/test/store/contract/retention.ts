// Contract section: retention deletes (store.deleteRunsBefore / deleteRollupsBefore). Old raw runs
// go in batches of at most `limit`, with their tool calls; rollups stay until their own age.
// PostgreSQL drops whole days as partitions, so one call may remove more than `limit` runs; the
// first test pins SQLite's exact batches (a named difference on PostgreSQL), the others hold on both.
import { describe, expect } from 'vitest';
import type { Store } from '../../../src/store/store.js';
import type { ContractContext } from '../store-contract.js';
import { DAY, HOUR, makeRun, T0 } from './fixtures.js';

/** Calls `step` until it reports nothing left, as a retention loop does; returns the total. */
async function drain(step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < 100; i++) {
    const n = await step();
    if (n === 0) return total;
    total += n;
  }
  throw new Error('retention did not finish');
}

const ids = async (store: Store, projectId: number) =>
  (await store.listRuns(projectId, { from: T0 - 30 * DAY, to: T0 + 30 * DAY, limit: 1_000 })).runs.map((r) => r.run_id).sort();

export function retentionContract({ test, fresh }: ContractContext): void {
  describe('retention', () => {
    test('deleting old runs removes them in batches and keeps their rollups', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const old = Array.from({ length: 5 }, (_, i) => makeRun({ run_id: `old-${i}`, timestamp: T0 - 40 * DAY + i }));
      await store.writeRuns(p.id, [...old, makeRun({ run_id: 'new', timestamp: T0 })]);
      const cutoff = T0 - 30 * DAY;
      expect(await store.deleteRunsBefore(cutoff, 2)).toBe(2);
      expect(await store.deleteRunsBefore(cutoff, 2)).toBe(2);
      expect(await store.deleteRunsBefore(cutoff, 2)).toBe(1);
      expect(await store.deleteRunsBefore(cutoff, 2)).toBe(0);
      expect(await store.getRun(p.id, 'old-0')).toBeNull();
      expect(await store.getRun(p.id, 'new')).not.toBeNull();
      const page = await store.listRuns(p.id, { from: T0 - 60 * DAY, to: T0 + DAY, limit: 10, tool: 'search_kb' });
      expect(page.runs.map((r) => r.run_id)).toEqual(['new']);
      const [kept] = await store.agentRollups(p.id, { from: T0 - 60 * DAY, to: T0 + DAY });
      expect(kept!.runs).toBe(6);
    });

    test('deleting old rollups keeps newer buckets', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      await store.writeRuns(p.id, [makeRun({ run_id: 'old', timestamp: T0 - 500 * DAY }), makeRun({ run_id: 'new', timestamp: T0 })]);
      let deleted = 0;
      for (let n = -1; n !== 0; deleted += n) n = await store.deleteRollupsBefore(T0 - 400 * DAY, 2);
      expect(deleted).toBeGreaterThan(0);
      const rows = await store.agentRollups(p.id, { from: T0 - 600 * DAY, to: T0 + DAY });
      expect(rows.map((r) => r.runs)).toEqual([1]);
    });

    test('deleting runs before a cutoff removes exactly the older runs, in every project, and keeps rollups', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const q = await store.ensureProject('other');
      const cutoff = T0 - 2 * DAY + 6 * HOUR;
      await store.writeRuns(p.id, [
        makeRun({ run_id: 'old-5d', timestamp: T0 - 5 * DAY }),
        makeRun({ run_id: 'old-3d', timestamp: T0 - 3 * DAY + HOUR }),
        makeRun({ run_id: 'old-same-day', timestamp: T0 - 2 * DAY + HOUR }),
        makeRun({ run_id: 'kept-same-day', timestamp: T0 - 2 * DAY + 7 * HOUR }),
        makeRun({ run_id: 'kept-new', timestamp: T0 }),
      ]);
      await store.writeRuns(q.id, [makeRun({ run_id: 'q-old', timestamp: T0 - 4 * DAY }), makeRun({ run_id: 'q-new', timestamp: T0 })]);

      expect(await drain(() => store.deleteRunsBefore(cutoff, 2))).toBe(4);
      expect(await ids(store, p.id)).toEqual(['kept-new', 'kept-same-day']);
      expect(await ids(store, q.id)).toEqual(['q-new']);
      expect(await store.getRun(p.id, 'old-3d')).toBeNull();
      expect((await store.listRuns(p.id, { from: T0 - 30 * DAY, to: T0 + 30 * DAY, limit: 10, tool: 'search_kb' })).runs).toHaveLength(2);
      const [agent] = await store.agentRollups(p.id, { from: T0 - 10 * DAY, to: T0 + DAY });
      expect(agent!.runs).toBe(5);
      expect(await store.deleteRunsBefore(cutoff, 100)).toBe(0);
    });

    test('a run deleted by retention can be sent again and is stored once', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      await store.writeRuns(p.id, [makeRun({ timestamp: T0 - 3 * DAY })]);
      await drain(() => store.deleteRunsBefore(T0, 10));
      await store.writeRuns(p.id, [makeRun({ timestamp: T0 - 3 * DAY })]);
      await store.writeRuns(p.id, [makeRun({ timestamp: T0 - 3 * DAY })]);
      expect(await ids(store, p.id)).toEqual(['run-1']);
      expect(await store.getRun(p.id, 'run-1')).toEqual(makeRun({ timestamp: T0 - 3 * DAY }));
    });
  });
}
