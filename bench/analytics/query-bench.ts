// Times the two analytics questions on the generated fleet (generate.ts) both ways, in one process:
// the rollup path (query/analytics.ts, what the API serves) against the same answer computed from
// the raw runs table, checks that the answers agree (counts exact, percentiles within 1%), and
// prints the speed-up, absolute times and the server's RSS.
//   npx tsx bench/analytics/query-bench.ts [--db /tmp/vigil-analytics.db] [--agent agent-07]
import { parseArgs } from 'node:util';
import type Database from 'better-sqlite3';
import { parseConfig } from '../../packages/server/src/config/vigil-config.js';
import { readYamlSource } from '../../packages/server/src/config/yaml-source.js';
import { agentSeries, fleetOverview } from '../../packages/server/src/query/analytics.js';
import { createVigilServer } from '../../packages/server/src/app/server.js';
import { FLEET_END } from './fleet.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: '/tmp/vigil-analytics.db' },
    agent: { type: 'string', default: 'agent-07' },
    rounds: { type: 'string', default: '7' },
  },
});
const HOUR = 3_600_000;
const DAY = 86_400_000;
const ROUNDS = Number(values.rounds);
const KEY = 'bench-key';

// The fleet ends in the past: keep retention from touching it while the server is up.
const config = parseConfig(readYamlSource('bench.yaml', 'retention: { runs: 3650d, rollups: 3650d }\n'));
const vigil = await createVigilServer({ db: values.db, apiKeys: [KEY], config, now: () => FLEET_END });
const db = (vigil.store as unknown as { db: Database.Database }).db;
const projectId = vigil.defaultProject.id;

/**
 * Median wall and CPU time of `rounds` calls after a first, separately reported call, and the
 * last answer. CPU time is printed too because on a shared machine wall time includes waiting
 * for a core; CPU time is what the query itself costs.
 */
async function time<T>(fn: () => Promise<T> | T, rounds = ROUNDS): Promise<{ ms: number; cpu: number; first: number; answer: T }> {
  let t = performance.now();
  let answer = await fn();
  const first = performance.now() - t;
  const times: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const c = process.cpuUsage();
    t = performance.now();
    answer = await fn();
    times.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpus.push((d.user + d.system) / 1000);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { ms: median(times), cpu: median(cpus), first, answer };
}

const rank = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))] ?? 0;
const within1 = (est: number, exact: number) => Math.abs(est - exact) <= exact * 0.01 + 0.05;

// ---- Question 1: fleet overview, last 24 h ----
// "Now" is 7h13m before the data ends, as a dashboard's "last 24 h" would be: the range then
// needs minute and hour rows at its edges, not just whole days.
const NOW = FLEET_END - 7 * HOUR - 13 * 60_000;
const day = { from: NOW - DAY, to: NOW };

interface RawAgent {
  runs: number; success: number; durations: number[]; tokens: number[]; iterations: number[]; tokensSum: number; failedTokens: number;
  cost: number; priced: number; unpriced: Set<string>; toolCalls: number; toolErrors: number; toolTimeouts: number;
}

function rawFleet(): Map<string, RawAgent> {
  const out = new Map<string, RawAgent>();
  const rows = db.prepare(`SELECT agent_name, completion_status, duration_ms, tokens_used, iterations, cost_usd, model
    FROM runs WHERE project_id = ? AND ts >= ? AND ts < ?`).raw().iterate(projectId, day.from, day.to) as Iterable<[string, string, number, number, number, number | null, string | null]>;
  for (const [agent, status, duration, tokens, iterations, cost, model] of rows) {
    let a = out.get(agent);
    if (!a) {
      a = { runs: 0, success: 0, durations: [], tokens: [], iterations: [], tokensSum: 0, failedTokens: 0, cost: 0, priced: 0, unpriced: new Set(), toolCalls: 0, toolErrors: 0, toolTimeouts: 0 };
      out.set(agent, a);
    }
    a.runs++;
    if (status === 'success') a.success++;
    else a.failedTokens += tokens;
    a.durations.push(duration);
    a.tokens.push(tokens);
    a.iterations.push(iterations);
    a.tokensSum += tokens;
    if (cost !== null) { a.cost += cost; a.priced++; } else if (model !== null) a.unpriced.add(model);
  }
  const tools = db.prepare(`SELECT status, count(*) FROM tool_calls WHERE project_id = ? AND agent_name = ? AND ts >= ? AND ts < ? GROUP BY status`).raw();
  for (const [agent, a] of out) {
    for (const [status, n] of tools.all(projectId, agent, day.from, day.to) as [string, number][]) {
      a.toolCalls += n;
      if (status === 'error') a.toolErrors += n;
      if (status === 'timeout') a.toolTimeouts += n;
    }
    for (const xs of [a.durations, a.tokens, a.iterations]) xs.sort((x, y) => x - y);
  }
  return out;
}

const fleetRollup = await time(() => fleetOverview(vigil.store, projectId, day));
const fleetRaw = await time(rawFleet, Math.max(3, Math.floor(ROUNDS / 2)));
let fleetChecks = 0;
for (const a of fleetRollup.answer.agents) {
  const r = fleetRaw.answer.get(a.agent_name);
  if (!r) throw new Error(`raw path has no ${a.agent_name}`);
  const same = a.runs === r.runs && a.status_counts.success === r.success && a.total_tokens === r.tokensSum
    && a.failed_run_tokens === r.failedTokens && a.priced_runs === r.priced && a.tool_calls === r.toolCalls
    && within1(a.p50_latency_ms, rank(r.durations, 0.5)) && within1(a.p95_latency_ms, rank(r.durations, 0.95))
    && within1(a.p99_latency_ms, rank(r.durations, 0.99)) && within1(a.p95_tokens, rank(r.tokens, 0.95))
    && within1(a.p95_iterations, rank(r.iterations, 0.95)) && Math.abs(a.cost_usd - r.cost) < 1e-5
    && a.unpriced_models.join() === [...r.unpriced].sort().join();
  if (!same) throw new Error(`answers differ for ${a.agent_name}: ${JSON.stringify({ rollup: a, raw: { ...r, durations: r.durations.length } })}`);
  fleetChecks++;
}

// ---- Question 2: one agent's p95 latency per hour over 30 days ----
const month = { from: FLEET_END - 30 * DAY, to: FLEET_END };

function rawSeries(): number[] {
  const hours = Math.ceil((month.to - month.from) / HOUR);
  const buckets: number[][] = Array.from({ length: hours }, () => []);
  const rows = db.prepare('SELECT ts, duration_ms FROM runs WHERE project_id = ? AND agent_name = ? AND ts >= ? AND ts < ?')
    .raw().iterate(projectId, values.agent, month.from, month.to) as Iterable<[number, number]>;
  for (const [ts, d] of rows) buckets[Math.floor((ts - month.from) / HOUR)]!.push(d);
  return buckets.map((b) => rank(b.sort((x, y) => x - y), 0.95));
}

const seriesRollup = await time(() => agentSeries(vigil.store, projectId, values.agent, month, HOUR, ['p95_latency_ms']));
const seriesRaw = await time(rawSeries, Math.max(3, Math.floor(ROUNDS / 2)));
if (seriesRollup.answer.length !== seriesRaw.answer.length) throw new Error('series lengths differ');
seriesRollup.answer.forEach((p, i) => {
  if (!within1(p.values.p95_latency_ms!, seriesRaw.answer[i]!)) throw new Error(`hour ${i}: ${p.values.p95_latency_ms} vs ${seriesRaw.answer[i]}`);
});

// ---- The same questions through HTTP (JSON included), as the dashboard asks them ----
const headers = { authorization: `Bearer ${KEY}` };
const httpFleet = await time(() => vigil.app.inject({ method: 'GET', url: `/api/agents?from=${day.from}&to=${day.to}`, headers }));
const httpSeries = await time(() => vigil.app.inject({
  method: 'GET', url: `/api/agents/${values.agent}/timeseries?metric=p95_latency_ms&step=1h&from=${month.from}&to=${month.to}`, headers,
}));
if (httpFleet.answer.statusCode !== 200 || httpSeries.answer.statusCode !== 200) throw new Error('HTTP path failed');

const runs = (db.prepare('SELECT count(*) FROM runs').pluck().get() as number);
const rss = process.memoryUsage().rss / 1024 / 1024;
const f = (x: number) => x.toFixed(1);
const load = (await import('node:os')).loadavg()[0]!;
console.log(`database: ${runs.toLocaleString('en')} runs (${values.db}); load average ${load.toFixed(1)} on ${(await import('node:os')).cpus().length} cores`);
const line = (name: string, r: typeof fleetRollup, raw: typeof fleetRaw, http: typeof httpFleet) =>
  console.log(`${name}: rollups ${f(r.ms)} ms wall / ${f(r.cpu)} ms CPU (first call ${f(r.first)} ms), raw runs ${f(raw.ms)} ms wall / ${f(raw.cpu)} ms CPU -> ${f(raw.ms / r.ms)}x wall, ${f(raw.cpu / r.cpu)}x CPU; via HTTP ${f(http.ms)} ms`);
line(`fleet overview 24h (${fleetRollup.answer.agents.length} agents, ${fleetChecks} checked equal)`, fleetRollup, fleetRaw, httpFleet);
line(`${values.agent} p95 per hour, 30 days (${seriesRollup.answer.length} points, all within 1%)`, seriesRollup as unknown as typeof fleetRollup, seriesRaw as unknown as typeof fleetRaw, httpSeries);
console.log(`server RSS after the load and these queries: ${f(rss)} MiB`);
await vigil.close();
