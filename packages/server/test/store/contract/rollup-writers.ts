// Contract: rollups under several writers sharing one database (replicas), re-sends included,
// and reads that round a range out to whole minutes. Complements rollups.ts.
import { describe, expect } from 'vitest';
import { sketchCount } from '../../../src/store/quantile-sketch.js';
import type { ContractContext } from '../store-contract.js';
import { DAY, HOUR, makeRun, MINUTE, T0 } from './fixtures.js';

const call = (status: 'success' | 'timeout', duration: number) => ({
  name: 'lookup', status, duration_ms: duration, started_at: null, call_id: null, args_hash: null, error: null, arguments: null,
});

export function rollupWritersContract({ test, fresh, replicas }: ContractContext): void {
  describe('rollups with several writers', () => {
    test('a range rounds out to whole minutes and a series has one entry per step with runs', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      await store.writeRuns(p.id, [
        makeRun({ run_id: 'a', timestamp: T0 + 10_000 }),
        makeRun({ run_id: 'b', timestamp: T0 + 59 * MINUTE }),
        makeRun({ run_id: 'c', timestamp: T0 + 3 * HOUR + 1 }),
      ]);
      const series = await store.agentRollups(p.id, { from: T0, to: T0 + 6 * HOUR, step_ms: HOUR, agent_name: 'support_bot' });
      expect(series.map((s) => [s.bucket_start, s.runs])).toEqual([[T0, 2], [T0 + 3 * HOUR, 1]]);
      // 00:00:30 .. 00:00:40 lies inside minute 00:00, which holds run a.
      const [minute] = await store.agentRollups(p.id, { from: T0 + 30_000, to: T0 + 40_000 });
      expect(minute!.runs).toBe(1);
    });

    test('writers sharing one database add up exactly, re-sends of the same runs racing included', async () => {
      const stores = await replicas(3);
      const p = await stores[0]!.ensureProject('default');
      const runs = Array.from({ length: 300 }, (_, i) => makeRun({
        run_id: `r-${i % 200}`, // runs 200..299 re-send ids 0..99 with other values
        timestamp: T0 + (i % 7) * 10_000 + (i % 2) * DAY,
        duration_ms: 100 + i,
        tokens_used: i,
        completion_status: i % 5 === 0 ? 'error' : 'success',
        tool_calls: [call(i % 3 === 0 ? 'timeout' : 'success', 10 + i)],
      }));
      // Three writers at once; a run and its re-send may go through different writers in either order.
      await Promise.all(stores.map(async (s, lane) => {
        for (let i = lane; i < runs.length; i += 3) await s.writeRuns(p.id, [runs[i]!]);
      }));
      // Then each final copy once more, so the stored copy is known whatever the race did.
      const finals = [...new Map(runs.map((r) => [r.run_id, r])).values()];
      await Promise.all(stores.map((s, lane) => s.writeRuns(p.id, finals.filter((_, i) => i % 3 === lane))));
      const answers = [];
      for (const s of stores) {
        const [agent] = await s.agentRollups(p.id, { from: T0, to: T0 + 2 * DAY });
        expect(agent).toMatchObject({
          runs: 200,
          tokens_used_sum: finals.reduce((n, r) => n + r.tokens_used, 0),
          duration_ms_sum: finals.reduce((n, r) => n + r.duration_ms, 0),
          status: { error: finals.filter((r) => r.completion_status === 'error').length },
          tool_timeouts: finals.filter((r) => r.tool_calls[0]!.status === 'timeout').length,
        });
        expect(sketchCount(agent!.duration_ms)).toBe(200);
        const [tool] = await s.toolRollups(p.id, { from: T0, to: T0 + 2 * DAY });
        expect(sketchCount(tool!.duration_ms)).toBe(200);
        answers.push(await s.agentRollups(p.id, { from: T0, to: T0 + 2 * DAY, step_ms: HOUR }));
      }
      // Every writer reads the same answer.
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    });
  });
}
