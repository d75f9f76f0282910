// Query latency of the analytics benchmark's two views on PostgreSQL: the fleet overview of the
// last 24 h and one agent's p95 latency per hour over 30 days (query/analytics.ts, what the API
// serves), on the analytics benchmark's fleet (bench/analytics/fleet.ts). The same runs go into a
// SQLite store in this process, and each view is timed on both engines and checked to give the
// same answer; PostgreSQL's own raw-runs answer (SQL aggregates over the partitioned runs) is
// timed too, for the rollups' speed-up there.
//   npx tsx bench/postgres/query.ts [--runs 500000] [--rounds 7] [--agent agent-07]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { agentSeries, fleetOverview } from '../../packages/server/src/query/analytics.js';
import { createPostgresStore } from '../../packages/server/src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../packages/server/src/store/sqlite/sqlite-store.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { createRunFactory, FLEET_END } from '../analytics/fleet.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '500000' },
    rounds: { type: 'string', default: '7' },
    agent: { type: 'string', default: 'agent-07' },
    batch: { type: 'string', default: '5000' },
  },
});
const URL_ = process.env.VIGIL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TOTAL = Number(values.runs);
const ROUNDS = Number(values.rounds);
const BATCH = Number(values.batch);
const HOUR = 3_600_000;
const DAY = 86_400_000;
// As in bench/analytics/query-bench.ts: a "now" off the hour, so reads need minute and hour rows at the edges.
const NOW = FLEET_END - 7 * HOUR - 13 * 60_000;
const day = { from: NOW - DAY, to: NOW };
const month = { from: FLEET_END - 30 * DAY, to: FLEET_END };

async function fill(store: Store, label: string): Promise<number> {
  const project = await store.ensureProject('default');
  const nextRun = createRunFactory(TOTAL);
  const started = performance.now();
  for (let i = 0; i < TOTAL; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(TOTAL, i + BATCH); j++) batch.push(nextRun(j));
    await store.writeRuns(project.id, batch);
  }
  const rate = TOTAL / ((performance.now() - started) / 1000);
  console.log(`${label}: wrote ${TOTAL.toLocaleString('en')} runs at ${rate.toFixed(0)} runs/s (writeRuns, ${BATCH} per call)`);
  return project.id;
}

/** Median of ROUNDS timings after one untimed warm-up, and the answer. */
async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; answer: T }> {
  let answer = await fn();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    answer = await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, answer };
}

const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(1e-6, Math.abs(b) * 1e-9);

const schema = `bench_query_${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'vigil-pg-query-'));
const pgStore = createPostgresStore({ url: URL_, schema });
const sqlite = createSqliteStore({ path: join(dir, 'vigil.db') });
try {
  await pgStore.migrate();
  await sqlite.migrate();
  const pgProject = await fill(pgStore, 'PostgreSQL');
  const sqliteProject = await fill(sqlite, 'SQLite    ');
  // Planner statistics and the visibility map, as autovacuum would leave them; no statement timeout.
  const maintenance = await pgStore.pool.connect();
  await maintenance.query('SET statement_timeout = 0');
  await maintenance.query('VACUUM ANALYZE runs, tool_calls, run_keys, rollup_agent, rollup_tool, rollup_model');
  maintenance.release();

  const fleetPg = await time(() => fleetOverview(pgStore, pgProject, day));
  const fleetSqlite = await time(() => fleetOverview(sqlite, sqliteProject, day));
  const seriesPg = await time(() => agentSeries(pgStore, pgProject, values.agent, month, HOUR, ['p95_latency_ms']));
  const seriesSqlite = await time(() => agentSeries(sqlite, sqliteProject, values.agent, month, HOUR, ['p95_latency_ms']));

  // Same answers from both engines: counts exact, sums to rounding, quantiles equal (same sketch bins).
  const a = fleetPg.answer.agents;
  const b = fleetSqlite.answer.agents;
  if (a.length !== b.length) throw new Error('fleet overviews list different agents');
  a.forEach((x, i) => {
    const y = b[i]!;
    const same = x.agent_name === y.agent_name && x.runs === y.runs && x.total_tokens === y.total_tokens
      && x.p95_latency_ms === y.p95_latency_ms && x.p99_latency_ms === y.p99_latency_ms && close(x.cost_usd, y.cost_usd);
    if (!same) throw new Error(`engines disagree on ${x.agent_name}: ${JSON.stringify({ postgres: x, sqlite: y })}`);
  });
  if (JSON.stringify(seriesPg.answer) !== JSON.stringify(seriesSqlite.answer)) throw new Error('engines disagree on the series');

  // PostgreSQL answering from raw runs, for the rollups' speed-up on this engine.
  const rawFleet = await time(() => pgStore.pool.query(
    `SELECT agent_name, count(*), sum(tokens_used), sum(cost_usd),
       percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY duration_ms)
     FROM runs WHERE project_id = $1 AND ts >= $2 AND ts < $3 GROUP BY agent_name`, [pgProject, day.from, day.to]));
  const rawSeries = await time(() => pgStore.pool.query(
    `SELECT ts / ${HOUR} AS hour, percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms)
     FROM runs WHERE project_id = $1 AND agent_name = $2 AND ts >= $3 AND ts < $4 GROUP BY 1`, [pgProject, values.agent, month.from, month.to]));

  const row = (name: string, pgMs: number, sqliteMs: number, rawMs: number) =>
    console.log(`${name.padEnd(34)} PostgreSQL ${pgMs.toFixed(1).padStart(7)} ms | SQLite ${sqliteMs.toFixed(1).padStart(7)} ms | `
      + `PostgreSQL/SQLite ${(pgMs / sqliteMs).toFixed(2)} | PostgreSQL raw runs ${rawMs.toFixed(1)} ms (rollups ${(rawMs / pgMs).toFixed(1)}x faster)`);
  console.log(`answers checked equal on both engines: ${a.length} agents, ${seriesPg.answer.length} hourly points`);
  row('fleet overview, last 24 h', fleetPg.ms, fleetSqlite.ms, rawFleet.ms);
  row(`p95 per hour, 30 days (${values.agent})`, seriesPg.ms, seriesSqlite.ms, rawSeries.ms);

  // Disk per run on PostgreSQL (tables and indexes), for sizing.
  const sizes = await pgStore.pool.query<{ part: string; bytes: number }>(
    `SELECT CASE WHEN c.relname LIKE 'runs%' THEN 'runs' WHEN c.relname LIKE 'tool_calls%' THEN 'tool_calls'
                 WHEN c.relname LIKE 'rollup%' THEN 'rollups' WHEN c.relname LIKE 'run_keys%' THEN 'run_keys' ELSE 'other' END AS part,
            sum(pg_total_relation_size(c.oid))::bigint AS bytes
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'r' GROUP BY 1 ORDER BY 2 DESC`, [schema]);
  const total = sizes.rows.reduce((n, r) => n + r.bytes, 0);
  console.log(`PostgreSQL disk: ${(total / TOTAL).toFixed(0)} bytes per run (${sizes.rows.map((r) => `${r.part} ${(r.bytes / TOTAL).toFixed(0)}`).join(', ')})`);
} finally {
  await pgStore.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  await pgStore.close();
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
}
