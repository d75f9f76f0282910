// What rollups cost at ingest. Writes the issue-2 batch shape (500 runs of 3 tool calls, 20
// agents, timestamps over the last 10 minutes) three ways in one process, each on a fresh file
// with the same durability (WAL, synchronous=FULL, one transaction per 500 runs):
//   raw      the runs and tool_calls rows with prepared statements (bench/ingest/batch.ts's baseline)
//   store    SqliteStore.writeRuns: the same rows plus rollups (agent, tool, model × minute, hour, day)
//   rollups  the rollup work alone: summing the batch (addRunToDelta) and upserting its rows
//   npx tsx bench/analytics/write-cost.ts [seconds]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@vigil/protocol';
import { addRunToDelta, createRollupDelta } from '../../packages/server/src/store/rollup.js';
import { createSqliteRollupWriter } from '../../packages/server/src/store/sqlite/rollup-writer.js';
import { createSqliteStore, migrateSqlite, openSqliteDatabase } from '../../packages/server/src/store/sqlite/sqlite-store.js';

const SECONDS = Number(process.argv[2] ?? 8);
const RUNS_PER_BATCH = 500;
const AGENTS = 20;
const TOOLS = ['search_knowledge_base', 'create_ticket', 'retrieve_order'];
const dir = mkdtempSync(join(tmpdir(), 'vigil-write-cost-'));

let seq = 0;
function makeRuns(now: number): RunRecord[] {
  return Array.from({ length: RUNS_PER_BATCH }, () => {
    const i = seq++;
    const timestamp = now - (i % 600) * 1000;
    const duration = 800 + (i % 400);
    return {
      run_id: `b-${i}`, agent_name: `agent_${i % AGENTS}`, timestamp, ended_at: timestamp + duration, duration_ms: duration,
      iterations: 1 + (i % 4), tokens_used: 1200 + (i % 600), tokens: { input: 1000 + (i % 500), output: 200 + (i % 100), cached_input: 0, reasoning: 0 },
      model: 'gpt-4o-mini', completion_status: i % 20 === 0 ? 'error' : 'success', error: null, cost_usd: 0.0003,
      environment: null, release: null, session_id: null, user_id: null, tags: {},
      tool_calls: TOOLS.map((name, k) => ({
        name, status: k === 1 && i % 50 === 0 ? 'timeout' : 'success', duration_ms: 50 + k * 10,
        started_at: null, call_id: null, args_hash: null, error: null, arguments: null,
      })),
      steps: [], transitions: [], sampled: true, received_at: timestamp + duration,
    };
  });
}

interface Rate {
  /** Runs per second, wall clock. */
  perSecond: number;
  /** CPU time of this process per run, µs: what the work costs without waiting for disk or a core. */
  cpuUs: number;
}

/** Throughput of `write` over SECONDS, after a one-second warm-up; building the runs is not counted in CPU. */
async function rate(write: (runs: RunRecord[]) => unknown): Promise<Rate> {
  for (const end = performance.now() + 1000; performance.now() < end;) await write(makeRuns(Date.now()));
  let runs = 0;
  let cpu = 0;
  const start = performance.now();
  for (const end = start + SECONDS * 1000; performance.now() < end; runs += RUNS_PER_BATCH) {
    const batch = makeRuns(Date.now());
    const c = process.cpuUsage();
    await write(batch);
    const d = process.cpuUsage(c);
    cpu += d.user + d.system;
  }
  return { perSecond: runs / ((performance.now() - start) / 1000), cpuUs: cpu / runs };
}

async function raw(): Promise<Rate> {
  const db = openSqliteDatabase(join(dir, 'raw.db'));
  migrateSqlite(db);
  const insertRun = db.prepare(`INSERT INTO runs (project_id, run_id, agent_name, ts, ended_at, duration_ms, iterations, tokens_used,
    tokens_input, tokens_output, tokens_cached_input, tokens_reasoning, model, completion_status, error_type, error_message, cost_usd,
    environment, release, session_id, user_id, tags, sampled, received_at, detail)
    VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, NULL, NULL, ?, NULL, NULL, NULL, NULL, NULL, 1, ?, ?)`);
  const insertTool = db.prepare('INSERT INTO tool_calls (project_id, run_id, seq, agent_name, ts, name, status, duration_ms, args_hash, error_type) VALUES (1, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)');
  const write = db.transaction((runs: RunRecord[]) => {
    for (const r of runs) {
      insertRun.run(r.run_id, r.agent_name, r.timestamp, r.ended_at, r.duration_ms, r.iterations, r.tokens_used, r.tokens.input,
        r.tokens.output, r.model, r.completion_status, r.cost_usd, r.received_at, JSON.stringify({ tool_calls: r.tool_calls, steps: [], transitions: [] }));
      r.tool_calls.forEach((t, k) => insertTool.run(r.run_id, k, r.agent_name, r.timestamp, t.name, t.status, t.duration_ms));
    }
  });
  const result = await rate(write);
  db.close();
  return result;
}

async function store(): Promise<Rate> {
  const s = createSqliteStore({ path: join(dir, 'store.db') });
  await s.migrate();
  const p = await s.ensureProject('default');
  const result = await rate((runs) => s.writeRuns(p.id, runs));
  await s.close();
  return result;
}

async function rollupsAlone(): Promise<Rate> {
  const db = openSqliteDatabase(join(dir, 'rollups.db'));
  migrateSqlite(db);
  const writer = createSqliteRollupWriter(db);
  const write = db.transaction((runs: RunRecord[]) => {
    const delta = createRollupDelta();
    for (const r of runs) addRunToDelta(delta, 1, r, 1);
    writer.apply(delta);
  });
  const result = await rate(write);
  db.close();
  return result;
}

const rawRate = await raw();
const storeRate = await store();
const rollupRate = await rollupsAlone();
rmSync(dir, { recursive: true, force: true });
const f = (r: Rate) => `${r.perSecond.toFixed(0)} runs/s, ${r.cpuUs.toFixed(1)} µs CPU per run`;
console.log(`load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
console.log(`raw inserts (runs + tool calls):  ${f(rawRate)}`);
console.log(`store.writeRuns (rows + rollups): ${f(storeRate)} -> ${(storeRate.perSecond / rawRate.perSecond).toFixed(2)}x raw runs/s, ${(storeRate.cpuUs / rawRate.cpuUs).toFixed(2)}x raw CPU`);
console.log(`rollup work alone:                ${f(rollupRate)} (${((rollupRate.cpuUs / storeRate.cpuUs) * 100).toFixed(0)}% of a store write's CPU)`);
