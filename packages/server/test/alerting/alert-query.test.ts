// The evaluator's window of raw runs is read whole once and then only what arrived since. At every
// cycle it must hold exactly what a whole read would: new runs, re-sent runs (changed or moved
// out of the window), runs ageing out, runs stamped a little before the last read.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlertQuery, FULL_READ_EVERY_MS, RECEIVED_OVERLAP_MS } from '../../src/alerting/alert-query.js';
import type { AlertData } from '../../src/alerting/alert-data.js';
import type { RuleNeeds } from '../../src/alerting/rule.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { MINUTE, run as fullRun, T0 } from './helpers.js';

const NEEDS: RuleNeeds[] = [{ windowMs: 15 * MINUTE }];

const run: typeof fullRun = (agent, at, overrides = {}) => fullRun(agent, at, { tool_calls: [], ...overrides });

/** Every run the snapshot holds, as (run_id, status, tool statuses), in a stable order. */
function held(data: AlertData): string[] {
  return data.agents
    .flatMap((a) => data.runs(a.agent_name, data.now - 15 * MINUTE))
    .map((r) => `${r.run_id}:${r.completion_status}:${r.tool_calls.map((c) => c.status).join(',')}`)
    .sort();
}

/** The same store as an engine without a write position (PostgreSQL) sees it: new runs by received_at. */
const withoutWritePosition = (store: Store): Store =>
  new Proxy(store, { get: (target, prop) => (prop === 'runWritePosition' ? async () => null : Reflect.get(target, prop, target)) });

describe.each([
  ['by write position (SQLite)', (s: Store) => s, true],
  ['by received_at with an overlap (engines without a write position)', withoutWritePosition, false],
])('alert query window, new runs read %s', (_mode, view, byPosition) => {
  let store: Store;
  let sqlite: Store;
  let projectId: number;
  beforeEach(async () => {
    sqlite = createSqliteStore({ path: ':memory:' });
    store = view(sqlite);
    await store.migrate();
    projectId = (await store.ensureProject('default')).id;
  });
  afterEach(async () => {
    await sqlite.close();
  });

  /** Writes runs as ingest does: received_at is the server's time of the write. */
  const write = (receivedAt: number, ...runs: ReturnType<typeof run>[]) =>
    store.writeRuns(projectId, runs.map((r) => ({ ...r, received_at: receivedAt })));

  it('holds what a whole read holds, cycle after cycle', async () => {
    const kept = createAlertQuery(store);
    const check = async (now: number) => {
      const incremental = held(await kept(projectId, now, NEEDS));
      const whole = held(await createAlertQuery(store)(projectId, now, NEEDS));
      expect(incremental).toEqual(whole);
      return incremental;
    };
    let now = T0 + 20 * MINUTE;
    await write(now, run('bot', now - 10 * MINUTE, { run_id: 'a' }), run('bot', now - 14 * MINUTE, { run_id: 'ageing' }));
    expect(await check(now)).toEqual(['a:success:', 'ageing:success:']);

    now += 15_000;
    const timeout = { name: 'lookup', status: 'timeout' as const, duration_ms: 5_000, started_at: now - MINUTE, call_id: null, args_hash: null, error: null, arguments: null };
    await write(now - 1_000, run('bot', now - MINUTE, { run_id: 'b', tool_calls: [timeout] }), run('other', now - 2 * MINUTE, { run_id: 'c' }));
    // Re-sent: changed, and moved to a start before the window.
    await write(now - 1_000, run('bot', now - 10 * MINUTE, { run_id: 'a', completion_status: 'error' }));
    expect(await check(now)).toEqual(['a:error:', 'ageing:success:', 'b:success:timeout', 'c:success:']);

    now += 15_000;
    await write(now - 500, run('bot', now - 30 * MINUTE, { run_id: 'b' }));
    // Committed after the last read, stamped before it (a replica's clock behind, a slow commit).
    await write(now - 15_000 - RECEIVED_OVERLAP_MS / 2, run('other', now - MINUTE, { run_id: 'late-clock' }));
    // Starts ahead of the server's clock: held once the clock passes its start. One dated far
    // ahead (a client clock off by hours) is left out rather than kept until then.
    await write(now - 500, run('bot', now + 20_000, { run_id: 'ahead' }), run('bot', now + 5 * 3_600_000, { run_id: 'far-ahead' }));
    expect(await check(now)).toEqual(['a:error:', 'ageing:success:', 'c:success:', 'late-clock:success:']);

    now += 2 * MINUTE;
    expect(await check(now)).toEqual(['a:error:', 'ahead:success:', 'c:success:', 'late-clock:success:']);

    // The newest runs re-sent alone (SQLite gives them their rowids back) and replaced by others.
    now += 15_000;
    await write(now - 500, run('bot', now - MINUTE, { run_id: 'newest' }));
    expect(await check(now)).toEqual(['a:error:', 'ahead:success:', 'c:success:', 'late-clock:success:', 'newest:success:']);
    now += 15_000;
    await write(now - 500, run('bot', now - MINUTE, { run_id: 'newest', completion_status: 'timeout' }));
    expect(await check(now)).toEqual(['a:error:', 'ahead:success:', 'c:success:', 'late-clock:success:', 'newest:timeout:']);
  });

  it('reads the window whole when the write position went back, so a run written after is not missed', async () => {
    const kept = createAlertQuery(store);
    const now = T0 + 20 * MINUTE;
    const many = Array.from({ length: 600 }, (_, i) => run('bot', now - MINUTE, { run_id: `r${i}` }));
    await write(now, ...many);
    expect(held(await kept(projectId, now, NEEDS))).toHaveLength(600);
    // The newest 500 deleted, more than SQLite looks back: the next run takes a rowid far behind
    // the position the last read noted.
    await store.writeRuns(projectId, [], { deleteRunIds: many.slice(100).map((r) => r.run_id) });
    await write(now + 1_000, run('bot', now - MINUTE, { run_id: 'after' }));
    const snapshot = held(await kept(projectId, now + 15_000, NEEDS));
    expect(snapshot).toContain('after:success:');
    // Read whole, the deleted runs are gone at once; by received_at they wait for the next whole read.
    expect(snapshot).toHaveLength(byPosition ? 101 : 601);
  });

  it('reads the window whole again after FULL_READ_EVERY_MS, so a run removed from the store leaves it', async () => {
    const kept = createAlertQuery(store);
    let now = T0 + 20 * MINUTE;
    await write(now, run('bot', now - MINUTE, { run_id: 'gone' }), run('bot', now - MINUTE, { run_id: 'stays' }));
    expect(held(await kept(projectId, now, NEEDS))).toEqual(['gone:success:', 'stays:success:']);
    now += 15_000;
    await store.writeRuns(projectId, [], { deleteRunIds: ['gone'] });
    // Removal is not an arrival: the kept window still has it until the next whole read.
    expect(held(await kept(projectId, now, NEEDS))).toEqual(['gone:success:', 'stays:success:']);
    now += FULL_READ_EVERY_MS;
    expect(held(await kept(projectId, now, NEEDS))).toEqual(['stays:success:']);
    await write(now, run('bot', now - MINUTE, { run_id: 'next' }));
    expect(held(await kept(projectId, now + 15_000, NEEDS))).toEqual(['next:success:', 'stays:success:']);
  });
});
