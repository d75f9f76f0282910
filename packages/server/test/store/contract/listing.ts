// Contract: listing runs: newest first, stable cursor paging across ties and days, filters.
import { describe, expect } from 'vitest';
import type { ContractContext } from '../store-contract.js';
import type { RunRecord } from '@vigil/protocol';
import type { Store } from '../../../src/store/store.js';
import { allPages, DAY, makeRun, MINUTE, T0, window } from './fixtures.js';

export function listingContract({ test, fresh }: ContractContext): void {
  describe('listing runs', () => {
    const seed = async (store: Store, projectId: number) => {
      const statuses = ['success', 'error', 'timeout', 'success', 'iteration_limit'] as const;
      const runs = Array.from({ length: 25 }, (_, i) => makeRun({
        run_id: `run-${String(i).padStart(2, '0')}`,
        agent_name: i % 2 === 0 ? 'even_bot' : 'odd_bot',
        // Pairs share a timestamp, so paging must break ties by run_id.
        timestamp: T0 + Math.floor(i / 2) * MINUTE,
        completion_status: statuses[i % statuses.length]!,
        session_id: i < 5 ? 'sess-a' : null,
        tool_calls: i % 3 === 0
          ? [{ name: 'lookup_order', status: 'timeout', duration_ms: null, started_at: null, call_id: null, args_hash: null, error: null, arguments: null }]
          : [],
      }));
      await store.writeRuns(projectId, runs);
      return runs;
    };

    test('runs come newest first, ties broken by run_id descending', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const runs = await seed(store, p.id);
      const page = await store.listRuns(p.id, window());
      const expected = [...runs].sort((a, b) => b.timestamp - a.timestamp || (a.run_id < b.run_id ? 1 : -1)).map((r) => r.run_id);
      expect(page.runs.map((r) => r.run_id)).toEqual(expected);
      expect(page.next_cursor).toBeNull();
    });

    test('cursor paging visits every run once, in order, with pages splitting ties', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      await seed(store, p.id);
      const whole = (await store.listRuns(p.id, window())).runs.map((r) => r.run_id);
      for (const limit of [1, 3, 4, 7, 25]) {
        expect((await allPages(store, p.id, limit)).map((r) => r.run_id)).toEqual(whole);
      }
      const first = await store.listRuns(p.id, window({ limit: 25 }));
      expect(first.next_cursor).toBeNull();
    });

    test('filters by agent, status list, tool, session and time bounds', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const runs = await seed(store, p.id);
      const ids = async (extra: Partial<Parameters<Store['listRuns']>[1]>) =>
        (await store.listRuns(p.id, window(extra))).runs.map((r) => r.run_id).sort();
      const expectIds = (pred: (r: RunRecord) => boolean) => runs.filter(pred).map((r) => r.run_id).sort();
      expect(await ids({ agent_name: 'odd_bot' })).toEqual(expectIds((r) => r.agent_name === 'odd_bot'));
      expect(await ids({ completion_status: ['error', 'timeout'] })).toEqual(expectIds((r) => ['error', 'timeout'].includes(r.completion_status)));
      expect(await ids({ tool: 'lookup_order' })).toEqual(expectIds((r) => r.tool_calls.some((t) => t.name === 'lookup_order')));
      expect(await ids({ session_id: 'sess-a' })).toEqual(expectIds((r) => r.session_id === 'sess-a'));
      // from is inclusive, to exclusive.
      expect(await ids({ from: T0 + 2 * MINUTE, to: T0 + 4 * MINUTE })).toEqual(['run-04', 'run-05', 'run-06', 'run-07']);
      expect(await ids({ agent_name: 'even_bot', completion_status: ['success'], tool: 'lookup_order' }))
        .toEqual(expectIds((r) => r.agent_name === 'even_bot' && r.completion_status === 'success' && r.tool_calls.some((t) => t.name === 'lookup_order')));
      expect(await ids({ agent_name: 'nobody' })).toEqual([]);
    });

    test('list pages carry tool calls but leave out steps and transitions', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      await store.writeRuns(p.id, [makeRun()]);
      const [listed] = (await store.listRuns(p.id, window())).runs;
      expect(listed).toEqual({ ...makeRun(), steps: [], transitions: [] });
    });

    test('runs spread over many days list in order across them', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const runs = Array.from({ length: 12 }, (_, i) => makeRun({ run_id: `d-${i}`, timestamp: T0 - 10 * DAY + i * DAY + i }));
      await store.writeRuns(p.id, runs);
      expect((await allPages(store, p.id, 5)).map((r) => r.run_id)).toEqual(runs.map((r) => r.run_id).reverse());
    });
  });
}
