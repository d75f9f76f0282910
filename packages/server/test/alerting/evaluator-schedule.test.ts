// The evaluator's schedule: ticks on slots aligned to the interval and evaluates at the slot's
// time; a stalled process or a cycle that overruns counts missed slots instead of replaying them;
// a replica without the lease does not evaluate. Timers are vitest's fake ones, so no test sleeps.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAlertQuery } from '../../src/alerting/alert-query.js';
import { createEvaluator, type Evaluator } from '../../src/alerting/evaluator.js';
import type { Rule } from '../../src/alerting/rule.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

const T0 = Date.UTC(2026, 10, 20);

describe('evaluator schedule', () => {
  let store: Store;
  let evaluator: Evaluator | null = null;
  beforeEach(async () => {
    vi.useFakeTimers({ now: T0 + 400, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
    await store.ensureProject('default');
  });
  afterEach(async () => {
    await evaluator?.stop();
    vi.useRealTimers();
    await store.close();
  });

  function make(rules: Rule[] = [], isLeader?: () => boolean) {
    const seen: number[] = [];
    evaluator = createEvaluator({
      store, query: createAlertQuery(store), rules, evaluationIntervalMs: 1_000, runListUrl: () => '', isLeader,
      notify: ({ now }) => void seen.push(now - T0),
    });
    return { evaluator, seen };
  }

  it('evaluates at aligned slot times', async () => {
    const { evaluator: ev, seen } = make();
    ev.start();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(seen).toEqual([1_000, 2_000, 3_000]);
    expect(ev.stats.missedEvaluations).toBe(0);
  });

  it('counts the slots a stalled process slept through instead of running them all', async () => {
    const { evaluator: ev, seen } = make();
    ev.start();
    await vi.advanceTimersByTimeAsync(1_000);
    // The wall clock jumps 5 s while the next tick is held up: it fires late, at 7 s.
    vi.setSystemTime(Date.now() + 5_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen).toEqual([1_000, 7_000]);
    expect(ev.stats.missedEvaluations).toBe(5);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen).toEqual([1_000, 7_000, 8_000]);
    expect(ev.stats.missedEvaluations).toBe(5);
  });

  it('skips and counts slots that arrive while a cycle is still running', async () => {
    let release: () => void = () => {};
    const slow: Rule = {
      name: 'Slow', timing: { forMs: 0, keepFiringForMs: 0 }, needs: { windowMs: 0 },
      evaluate: () => new Promise((resolve) => { release = () => resolve([]); }),
    };
    const { evaluator: ev, seen } = make([slow]);
    ev.start();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(seen).toEqual([]);
    expect(ev.stats.missedEvaluations).toBe(2);
    release();
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([1_000]);
  });

  it('does not evaluate on a replica without the lease', async () => {
    let leader = false;
    const { evaluator: ev, seen } = make([], () => leader);
    ev.start();
    await vi.advanceTimersByTimeAsync(2_000);
    leader = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen).toEqual([3_000]);
    expect(ev.stats.cycles).toBe(1);
  });
});
