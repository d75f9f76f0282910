// How ranges split into rollup buckets, and the SQLite write path's rollup bookkeeping: a failed
// request in a group leaves no trace in rollups, and rollups are rebuilt for runs stored before them.
import { describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, ROLLUP_LEVELS_MS, TEN_MINUTES_MS, planSegments } from '../../src/store/rollup.js';
import type { RunRecord } from '@vigil/protocol';
import { makeRun, T0 } from './contract/fixtures.js';

describe('planSegments', () => {
  it('uses days in the middle and hours, ten minutes and minutes at the edges', () => {
    const from = T0 + 22 * HOUR_MS + 47 * MINUTE_MS;
    const to = T0 + 3 * DAY_MS + 2 * HOUR_MS + 25 * MINUTE_MS;
    expect(planSegments(from, to, ROLLUP_LEVELS_MS)).toEqual([
      { level_ms: MINUTE_MS, from, to: T0 + 22 * HOUR_MS + 50 * MINUTE_MS },
      { level_ms: TEN_MINUTES_MS, from: T0 + 22 * HOUR_MS + 50 * MINUTE_MS, to: T0 + 23 * HOUR_MS },
      { level_ms: HOUR_MS, from: T0 + 23 * HOUR_MS, to: T0 + DAY_MS },
      { level_ms: DAY_MS, from: T0 + DAY_MS, to: T0 + 3 * DAY_MS },
      { level_ms: HOUR_MS, from: T0 + 3 * DAY_MS, to: T0 + 3 * DAY_MS + 2 * HOUR_MS },
      { level_ms: TEN_MINUTES_MS, from: T0 + 3 * DAY_MS + 2 * HOUR_MS, to: T0 + 3 * DAY_MS + 2 * HOUR_MS + 20 * MINUTE_MS },
      { level_ms: MINUTE_MS, from: T0 + 3 * DAY_MS + 2 * HOUR_MS + 20 * MINUTE_MS, to },
    ]);
  });

  it('widens a range to whole minutes', () => {
    expect(planSegments(T0 + 30_000, T0 + 90_000, ROLLUP_LEVELS_MS)).toEqual([{ level_ms: MINUTE_MS, from: T0, to: T0 + 2 * MINUTE_MS }]);
  });

  it('uses only levels that fit whole in a step', () => {
    const segs = planSegments(T0, T0 + 2 * DAY_MS, ROLLUP_LEVELS_MS, 15 * MINUTE_MS);
    expect(segs).toEqual([{ level_ms: MINUTE_MS, from: T0, to: T0 + 2 * DAY_MS }]);
    expect(planSegments(T0, T0 + 2 * DAY_MS, ROLLUP_LEVELS_MS, 3 * HOUR_MS).map((s) => s.level_ms)).toEqual([HOUR_MS]);
    expect(planSegments(T0 + 5 * MINUTE_MS, T0 + 2 * HOUR_MS, ROLLUP_LEVELS_MS, 30 * MINUTE_MS).map((s) => s.level_ms)).toEqual([MINUTE_MS, TEN_MINUTES_MS]);
  });
});

describe('SQLite rollup bookkeeping', () => {
  it('leaves no trace of a request that failed inside a shared group commit', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
    const p = await store.ensureProject('default');
    const broken = makeRun({ run_id: 'bad', agent_name: 'broken_bot', completion_status: null as unknown as RunRecord['completion_status'] });
    const results = await Promise.allSettled([
      store.writeRuns(p.id, [makeRun({ run_id: 'ok-1' })]),
      store.writeRuns(p.id, [makeRun({ run_id: 'bad-neighbour', agent_name: 'broken_bot' }), broken]),
      store.writeRuns(p.id, [makeRun({ run_id: 'ok-2' })]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const rows = await store.agentRollups(p.id, { from: T0 - DAY_MS, to: T0 + DAY_MS });
    expect(rows.map((r) => [r.agent_name, r.runs])).toEqual([['support_bot', 2]]);
    await store.close();
  });

  it('rebuilds rollups from stored runs when the rollup tables are empty', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
    const p = await store.ensureProject('default');
    await store.writeRuns(p.id, Array.from({ length: 30 }, (_, i) => makeRun({ run_id: `r${i}`, timestamp: T0 + i * 7 * MINUTE_MS, duration_ms: 100 + i })));
    const q = { from: T0, to: T0 + DAY_MS, step_ms: HOUR_MS };
    const before = await store.agentRollups(p.id, q);
    store.db.exec('DELETE FROM rollup_agent; DELETE FROM rollup_tool; DELETE FROM rollup_model;');
    expect(await store.agentRollups(p.id, q)).toEqual([]);
    await store.migrate();
    expect(await store.agentRollups(p.id, q)).toEqual(before);
    await store.close();
  });
});
