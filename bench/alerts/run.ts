// One evaluation cycle of every built-in rule (and AnomalyDetected) for a fleet of agents with 24 h
// of data in a SQLite file, as `vigil serve` runs it: time per cycle and per agent.
// Baseline in the same process: the one read no cycle can avoid, the window's runs with their tool
// calls (listRunFacts); the ratio says what the rules, baselines, state and notifier add to it.
//
//   npx tsx bench/alerts/run.ts [agents=500] [runsPerAgentPerHour=20]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '@vigil/protocol';
import { createAlertingService } from '../../packages/server/src/alerting/alerting-service.js';
import { defaultAlertingConfig } from '../../packages/server/src/alerting/alerting-config.js';
import { createSqliteStore } from '../../packages/server/src/store/sqlite/sqlite-store.js';
import { seededRandom } from '../lib/seeded-random.js';

const AGENTS = Number(process.argv[2] ?? 500);
const PER_HOUR = Number(process.argv[3] ?? 20);
const HOUR = 3_600_000;
const END = Date.UTC(2026, 10, 20, 12);
const START = END - 24 * HOUR;
const TOOLS = ['search_kb', 'lookup_order', 'create_ticket', 'send_email'];

function* fleet(): Generator<RunRecord[]> {
  const r = seededRandom(7);
  const stepMs = HOUR / PER_HOUR;
  let batch: RunRecord[] = [];
  for (let t = START; t < END; t += stepMs) {
    for (let a = 0; a < AGENTS; a++) {
      const at = Math.floor(t + r() * stepMs);
      const agent = `agent-${String(a).padStart(3, '0')}`;
      const duration = Math.round((500 + (a % 50) * 40) * (0.6 + 0.8 * r()));
      const failed = r() < 0.02;
      const calls = 1 + Math.floor(r() * 3);
      batch.push({
        run_id: `${agent}-${at}`, agent_name: agent, timestamp: at, ended_at: at + duration, duration_ms: duration, iterations: 1 + calls,
        tokens_used: 800 + Math.floor(r() * 800), tokens: { input: 600, output: 400, cached_input: 0, reasoning: 0 }, model: 'gpt-4o-mini',
        completion_status: failed ? 'error' : 'success', error: failed ? { type: 'APIError' } : null, cost_usd: 0.001, environment: null,
        release: null, session_id: null, user_id: null, tags: {}, steps: [], transitions: [], sampled: true, received_at: at + duration,
        tool_calls: Array.from({ length: calls }, (_, k) => ({
          name: TOOLS[(a + k) % TOOLS.length]!, status: r() < 0.01 ? 'timeout' as const : 'success' as const, duration_ms: 80 + Math.floor(r() * 200),
          started_at: at + 10 * (k + 1), call_id: null, args_hash: `${at}-${k}`, error: null, arguments: null,
        })),
      });
      if (batch.length >= 5_000) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;
const f = (ms: number) => `${ms.toFixed(1)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-alerts-'));
  const store = createSqliteStore({ path: join(dir, 'vigil.db') });
  try {
    await store.migrate();
    const project = await store.ensureProject('default');
    let written = 0;
    const loadStart = performance.now();
    for (const batch of fleet()) written += (await store.writeRuns(project.id, batch)).accepted;
    console.log(`data: ${AGENTS} agents × 24 h, ${written.toLocaleString('en-US')} runs written in ${((performance.now() - loadStart) / 1000).toFixed(0)} s`);

    const service = createAlertingService({ store, config: defaultAlertingConfig(), isLeader: () => true });
    const ev = service.evaluator;

    // Baseline: the raw read of the window every cycle needs.
    const base: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await store.listRunFacts(project.id, { from: END - 15 * 60_000, to: END, toolCalls: true });
      base.push(performance.now() - t0);
    }

    // A first start: the detectors warm up on 4 h of minute rollups, MAX_CATCHUP_MINUTES per cycle;
    // the first cycle also reads the 24 h baselines.
    const warmup: number[] = [];
    let t = END - 20 * 60_000;
    for (let i = 0; i < 60; i++, t += 15_000) warmup.push((await ev.evaluateOnce(t))!.durationMs);
    // Then 10 simulated minutes at 15 s, caught up: 40 cycles, a new minute for the detectors every 4th.
    const cycles: number[] = [];
    for (let i = 0; i < 40; i++, t += 15_000) cycles.push((await ev.evaluateOnce(t))!.durationMs);
    const fresh = cycles.filter((_, i) => (i + 1) % 4 === 0);
    const cached = cycles.filter((_, i) => (i + 1) % 4 !== 0);
    await service.close();

    console.log(`baseline (window read only): median ${f(median(base))}`);
    console.log(`first cycle (24 h baselines read, detectors start warming up): ${f(warmup[0]!)}`);
    console.log(`warm-up cycles 2-60 (5 minutes of 4 h history fed per cycle): median ${f(median(warmup.slice(1)))}, max ${f(Math.max(...warmup.slice(1)))}`);
    console.log(`steady cycles with a new minute (detectors fed, a tenth of their state stored): median ${f(median(fresh))}, max ${f(Math.max(...fresh))}`);
    console.log(`steady cycles within a minute: median ${f(median(cached))}, p95 ${f(p95(cached))}`);
    console.log(`per agent (median of all steady cycles): ${(median(cycles) / AGENTS * 1000).toFixed(0)} µs`);
    console.log(`ratio steady median / baseline read: ${(median(cycles) / median(base)).toFixed(1)}×; worst steady cycle vs the 200 ms target: ${(Math.max(...cycles) / 200).toFixed(2)}`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
