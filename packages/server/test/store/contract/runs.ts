// Contract: writing runs (idempotent re-sends, last write wins, durable once acknowledged, group
// commit), reading them back, projects kept apart, and agents made known by their runs.
import { describe, expect } from 'vitest';
import type { ContractContext } from '../store-contract.js';
import { allPages, DAY, makeRun, MINUTE, T0, window } from './fixtures.js';

export function runsContract({ test, fresh, newDatabase }: ContractContext): void {
  describe('writing and reading runs', () => {
    test('a written run reads back exactly, detail included', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const run = makeRun({
        error: { type: 'RateLimitError', message: 'slow down' }, completion_status: 'error',
        tags: { team: 'support', 'quoted"key': "it's" }, session_id: 's-1', user_id: 'u-1', cost_usd: null, model: null,
      });
      expect(await store.writeRuns(p.id, [run])).toEqual({ accepted: 1 });
      expect(await store.getRun(p.id, run.run_id)).toEqual(run);
      expect(await store.getRun(p.id, 'missing')).toBeNull();
    });

    test('text with quotes, backslashes, braces and non-ASCII survives the round trip', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const run = makeRun({
        run_id: 'run-{"a,b"}\\n', agent_name: 'bot ✓ 日本', error: { type: 'E', message: 'line1\nline2 "q" {x,y} \\ NULL' },
        tags: { 'k,{}': 'NULL', empty: '' },
      });
      await store.writeRuns(p.id, [run]);
      expect(await store.getRun(p.id, run.run_id)).toEqual(run);
      expect((await store.listRuns(p.id, window({ agent_name: 'bot ✓ 日本' }))).runs).toHaveLength(1);
    });

    test('re-sending a run replaces it: one copy, last write wins, old tool calls gone', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      await store.writeRuns(p.id, [makeRun()]);
      const second = makeRun({
        completion_status: 'error', tokens_used: 99,
        tool_calls: [{ name: 'lookup_order', status: 'timeout', duration_ms: 5_000, started_at: T0 + 10, call_id: null, args_hash: null, error: null, arguments: null }],
      });
      await store.writeRuns(p.id, [second]);
      expect(await store.getRun(p.id, 'run-1')).toEqual(second);
      expect((await store.listRuns(p.id, window())).runs).toHaveLength(1);
      expect((await store.listRuns(p.id, window({ tool: 'search_kb' }))).runs).toHaveLength(0);
      expect((await store.listRuns(p.id, window({ tool: 'lookup_order' }))).runs).toHaveLength(1);
    });

    test('a re-sent run with a timestamp days away moves, leaving no copy behind', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      await store.writeRuns(p.id, [makeRun({ timestamp: T0 })]);
      const moved = makeRun({ timestamp: T0 + 3 * DAY + 5 });
      await store.writeRuns(p.id, [moved]);
      expect(await store.getRun(p.id, 'run-1')).toEqual(moved);
      const runs = (await store.listRuns(p.id, window())).runs;
      expect(runs.map((r) => r.timestamp)).toEqual([T0 + 3 * DAY + 5]);
      expect((await store.listRuns(p.id, window({ tool: 'search_kb' }))).runs).toHaveLength(1);
    });

    test('within one write the last copy of a run_id wins', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      await store.writeRuns(p.id, [makeRun({ iterations: 1 }), makeRun({ iterations: 2 })]);
      expect((await store.getRun(p.id, 'run-1'))!.iterations).toBe(2);
      expect((await store.listRuns(p.id, window())).runs).toHaveLength(1);
    });

    test('many concurrent writes of the same run leave exactly one copy', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      await Promise.all(Array.from({ length: 40 }, (_, i) => store.writeRuns(p.id, [makeRun({ iterations: i, timestamp: T0 + (i % 3) * DAY })])));
      const runs = (await store.listRuns(p.id, window())).runs;
      expect(runs).toHaveLength(1);
      expect(await store.getRun(p.id, 'run-1')).toMatchObject({ run_id: 'run-1', timestamp: runs[0]!.timestamp });
    });

    test('concurrent writes are each acknowledged and all stored', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
        store.writeRuns(p.id, [makeRun({ run_id: `a-${i}`, timestamp: T0 + i }), makeRun({ run_id: `b-${i}`, timestamp: T0 + i })])));
      expect(results.every((r) => r.accepted === 2)).toBe(true);
      expect(await allPages(store, p.id, 37)).toHaveLength(100);
    });

    test('an acknowledged write is visible to another store on the same database', async () => {
      const db = await newDatabase();
      const a = db.open();
      await a.migrate();
      const p = await a.ensureProject('default');
      await a.writeRuns(p.id, [makeRun()]);
      const b = db.open();
      await b.migrate();
      expect(await b.getRun(p.id, 'run-1')).toEqual(makeRun());
    });

    test('close waits for queued writes, and they are stored', async () => {
      const db = await newDatabase();
      const a = db.open();
      await a.migrate();
      const p = await a.ensureProject('default');
      const writes = Array.from({ length: 20 }, (_, i) => a.writeRuns(p.id, [makeRun({ run_id: `r-${i}` })]));
      await a.close();
      await Promise.all(writes);
      const b = db.open();
      await b.migrate();
      expect(await allPages(b, p.id, 100)).toHaveLength(20);
    });

    test('a write can remove runs in the same transaction, and rollups follow', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      await store.writeRuns(p.id, [makeRun({ run_id: 'keep' }), makeRun({ run_id: 'drop', timestamp: T0 + DAY })]);
      // Deletes apply before the write's own runs: 'keep' is deleted and written again.
      await store.writeRuns(p.id, [makeRun({ run_id: 'keep', iterations: 9 }), makeRun({ run_id: 'new' })], { deleteRunIds: ['drop', 'keep', 'unknown'] });
      expect((await store.listRuns(p.id, window())).runs.map((r) => r.run_id).sort()).toEqual(['keep', 'new']);
      expect((await store.getRun(p.id, 'keep'))!.iterations).toBe(9);
      expect(await store.getRun(p.id, 'drop')).toBeNull();
      const [agent] = await store.agentRollups(p.id, { from: T0 - DAY, to: T0 + 2 * DAY });
      expect(agent!.runs).toBe(2);
      // A later request may delete what an earlier one in the same group wrote.
      await Promise.all([store.writeRuns(p.id, [makeRun({ run_id: 'brief' })]), store.writeRuns(p.id, [], { deleteRunIds: ['brief'] })]);
      expect(await store.getRun(p.id, 'brief')).toBeNull();
      expect((await store.agentRollups(p.id, { from: T0 - DAY, to: T0 + 2 * DAY }))[0]!.runs).toBe(2);
    });

    test('an empty write is accepted and stores nothing', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      expect(await store.writeRuns(p.id, [])).toEqual({ accepted: 0 });
      expect((await store.listRuns(p.id, window())).runs).toEqual([]);
    });
  });

  describe('project isolation', () => {
    test('runs, agents and run ids never cross projects', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const q = await store.ensureProject('other');
      await store.writeRuns(p.id, [makeRun({ agent_name: 'p_bot', iterations: 1 })]);
      await store.writeRuns(q.id, [makeRun({ agent_name: 'q_bot', iterations: 2 })]);
      expect((await store.getRun(p.id, 'run-1'))!.iterations).toBe(1);
      expect((await store.getRun(q.id, 'run-1'))!.iterations).toBe(2);
      expect((await store.listRuns(p.id, window())).runs.map((r) => r.agent_name)).toEqual(['p_bot']);
      expect((await store.listAgents(p.id)).map((a) => a.agent_name)).toEqual(['p_bot']);
      expect(await store.getAgent(q.id, 'p_bot')).toBeNull();
    });
  });

  describe('agents', () => {
    test('a run makes its agent known, without a config', async () => {
      const store = await fresh(() => T0 + DAY);
      const p = await store.ensureProject('default');
      await store.writeRuns(p.id, [makeRun({ agent_name: 'b_bot' }), makeRun({ run_id: 'x', agent_name: 'a_bot' })]);
      const agents = await store.listAgents(p.id);
      expect(agents.map((a) => a.agent_name)).toEqual(['a_bot', 'b_bot']);
      expect(agents[0]).toEqual({ agent_name: 'a_bot', config: null, first_seen: T0, updated_at: T0 + DAY });
    });

    test('an agent named only by a request that failed becomes known with its next run', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      // The second run breaks a NOT NULL column, so the whole request rolls back, new_bot's row too.
      const broken = makeRun({ run_id: 'broken', agent_name: null as never });
      await expect(store.writeRuns(p.id, [makeRun({ agent_name: 'new_bot' }), broken])).rejects.toThrow();
      expect(await store.getAgent(p.id, 'new_bot')).toBeNull();
      await store.writeRuns(p.id, [makeRun({ run_id: 'later', agent_name: 'new_bot' })]);
      expect((await store.listAgents(p.id)).map((a) => a.agent_name)).toEqual(['new_bot']);
    });

    test('registering an agent stores its config; registering again replaces it and keeps first_seen', async () => {
      let t = T0;
      const store = await fresh(() => t);
      const p = await store.ensureProject('default');
      const config = { name: 'support_bot', model: 'gpt-4o', max_iterations: 10, tools: [{ name: 'search_kb', timeout_ms: 5_000 }] };
      await store.upsertAgent(p.id, config as never);
      t = T0 + MINUTE;
      await store.upsertAgent(p.id, { ...config, max_iterations: 20 } as never);
      const agent = await store.getAgent(p.id, 'support_bot');
      expect(agent).toEqual({ agent_name: 'support_bot', config: { ...config, max_iterations: 20 }, first_seen: T0, updated_at: T0 + MINUTE });
      await store.writeRuns(p.id, [makeRun()]);
      expect((await store.getAgent(p.id, 'support_bot'))!.config).toEqual({ ...config, max_iterations: 20 });
    });
  });
}
