// The Store contract, written once: every behaviour a store must have, run against whatever
// engine the caller opens (sqlite-store.test.ts, postgres-store.test.ts). An engine that really
// differs names the test and the reason in `differences`; nothing is dropped silently.
// Other modules' store methods (rollups, alert state, retention) get their sections here too.
import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '@vigil/protocol';
import type { Store } from '../../src/store/store.js';
import { makeRun, T0 } from './contract/fixtures.js';
import { alertingContract } from './contract/alerting.js';
import { otlpContract } from './contract/otlp.js';
import { retentionContract } from './contract/retention.js';
import { rollupWritersContract } from './contract/rollup-writers.js';
import { rollupContract } from './contract/rollups.js';

export { makeRun, T0 };

export interface ContractDatabase {
  /** Opens a store on this database, not yet migrated; several may share it, like replicas. */
  open(options?: { now?: () => number }): Store;
  /** Closes every store opened here and removes the database. */
  destroy(): Promise<void>;
}

export interface ContractOptions {
  engine: 'sqlite' | 'postgres';
  newDatabase(): Promise<ContractDatabase>;
  /** Test name -> why this engine behaves differently. Those tests are skipped with the reason shown. */
  differences?: Record<string, string>;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

const window = (extra: Partial<Parameters<Store['listRuns']>[1]> = {}) => ({ from: T0 - 30 * DAY, to: T0 + 30 * DAY, limit: 100, ...extra });

async function allPages(store: Store, projectId: number, limit: number, extra: Partial<Parameters<Store['listRuns']>[1]> = {}): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  let cursor = undefined as Parameters<Store['listRuns']>[1]['cursor'];
  for (let i = 0; i < 1_000; i++) {
    const page = await store.listRuns(projectId, window({ limit, cursor, ...extra }));
    out.push(...page.runs);
    if (!page.next_cursor) return out;
    cursor = page.next_cursor;
  }
  throw new Error('paging did not end');
}

/** What each contract section gets: the test registrar (honouring differences) and store openers. */
export interface ContractContext {
  test: (name: string, fn: () => Promise<void>) => void;
  /** A migrated store on a new database, destroyed after the test. */
  fresh: (now?: () => number) => Promise<Store>;
  /** Several migrated stores sharing one new database, like replicas. */
  replicas: (n: number) => Promise<Store[]>;
  engine: ContractOptions['engine'];
}

export function storeContract(options: ContractOptions): void {
  const differences = options.differences ?? {};
  const test = (name: string, fn: () => Promise<void>) => {
    const why = differences[name];
    if (why) it.skip(`${name} [differs on ${options.engine}: ${why}]`, fn);
    else it(name, fn);
  };

  describe(`Store contract (${options.engine})`, () => {
    let db: ContractDatabase | null = null;
    const fresh = async (now?: () => number): Promise<Store> => {
      db = await options.newDatabase();
      const store = db.open({ now });
      await store.migrate();
      return store;
    };
    afterEach(async () => {
      await db?.destroy();
      db = null;
    });
    const replicas = async (n: number): Promise<Store[]> => {
      db = await options.newDatabase();
      const opened = Array.from({ length: n }, () => db!.open());
      for (const s of opened) await s.migrate();
      return opened;
    };
    const ctx: ContractContext = { test, fresh, replicas, engine: options.engine };
    rollupContract(ctx);
    rollupWritersContract(ctx);
    retentionContract(ctx);
    alertingContract(ctx);
    otlpContract(ctx);

    describe('lifecycle', () => {
      test('migrating twice leaves a working store', async () => {
        const store = await fresh();
        await store.migrate();
        await store.ping();
        expect(store.engine).toBe(options.engine);
      });

      test('two stores migrating the same new database at once both succeed', async () => {
        db = await options.newDatabase();
        const a = db.open();
        const b = db.open();
        await Promise.all([a.migrate(), b.migrate()]);
        const p = await a.ensureProject('default');
        expect(await b.getProject(p.id)).toEqual(p);
      });

      test('close may be called twice', async () => {
        const store = await fresh();
        await store.close();
        await store.close();
      });
    });

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
        db = await options.newDatabase();
        const a = db.open();
        await a.migrate();
        const p = await a.ensureProject('default');
        await a.writeRuns(p.id, [makeRun()]);
        const b = db.open();
        await b.migrate();
        expect(await b.getRun(p.id, 'run-1')).toEqual(makeRun());
      });

      test('close waits for queued writes, and they are stored', async () => {
        db = await options.newDatabase();
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
        db = await options.newDatabase();
        const stores = [db.open(), db.open(), db.open()];
        await Promise.all(stores.map((s) => s.migrate()));
        const grants = await Promise.all(stores.flatMap((s, i) => [0, 1, 2].map((j) => s.tryAcquireLease('race', `replica-${i}-${j}`, 60_000))));
        expect(grants.filter((g) => g.held)).toHaveLength(1);
        const winner = grants.find((g) => g.held)!.holder;
        expect(grants.every((g) => g.holder === winner)).toBe(true);
      });
    });
  });
}
