// The analytics API against exact answers computed from the same runs: counts exact,
// percentiles within the sketch's 1%, with runs ingested out of order and runs re-sent.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { COMPLETION_STATUSES } from '@vigil/protocol';
import { auth, startTestServer } from '../helpers/test-server.js';
import type { VigilServer } from '../../src/app/server.js';
import { seededRandom } from '../../../../bench/lib/seeded-random.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Data starts here; the clock stands a day later. */
const T0 = Date.UTC(2026, 10, 2);
const NOW = T0 + DAY;

interface WireRun {
  run_id: string;
  agent_name: string;
  completion_status: (typeof COMPLETION_STATUSES)[number];
  timestamp: number;
  duration_ms: number;
  iterations: number;
  tokens: { input: number; output: number; cached_input: number; reasoning: number };
  model: string;
  tool_calls: { name: string; status: 'success' | 'error' | 'timeout'; duration_ms: number; args_hash: string }[];
}

/** Runs over 20 hours for three agents, with log-normal durations and a few tool calls each. */
function makeRuns(n: number, seed: number, prefix = 'r'): WireRun[] {
  const r = seededRandom(seed);
  const agents = ['planner', 'support_bot', 'researcher'];
  return Array.from({ length: n }, (_, i) => {
    const input = Math.floor(100 + r() * 5_000);
    return {
      run_id: `${prefix}-${i}`,
      agent_name: agents[Math.floor(r() * agents.length)]!,
      completion_status: r() < 0.8 ? 'success' : COMPLETION_STATUSES[1 + Math.floor(r() * 5)]!,
      timestamp: T0 + Math.floor(r() * 20 * HOUR),
      duration_ms: Math.round(200 * Math.exp(2 * r()) * (1 + r())),
      iterations: 1 + Math.floor(r() * 9),
      tokens: { input, output: Math.floor(r() * 2_000), cached_input: Math.floor(input * r() * 0.5), reasoning: 0 },
      model: r() < 0.9 ? 'gpt-4o-mini' : 'house-model-7b',
      tool_calls: Array.from({ length: Math.floor(r() * 4) }, () => ({
        name: r() < 0.6 ? 'search' : 'fetch',
        status: r() < 0.8 ? 'success' : r() < 0.5 ? 'error' : 'timeout',
        duration_ms: Math.round(10 + r() * 990),
        args_hash: r() < 0.3 ? 'same' : `h${Math.floor(r() * 1e6)}`,
      })),
    };
  });
}

/** The order statistic DDSketch estimates: rank floor(q·(n−1)) of the sorted values. */
function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))] ?? 0;
}

function expectWithin1Percent(actual: number, exact: number): void {
  // 1% of the sketch plus the API's rounding to 0.1.
  expect(Math.abs(actual - exact)).toBeLessThanOrEqual(exact * 0.01 + 0.05);
}

let vigil: VigilServer & { key: string };
/** The runs as the server should hold them: last write of each run_id wins. */
const truth = new Map<string, WireRun>();

beforeAll(async () => {
  vigil = await startTestServer({ now: () => NOW });
  const first = makeRuns(600, 1);
  // Out of order: batches in reverse time order, shuffled within.
  const shuffled = [...first].sort((a, b) => b.timestamp - a.timestamp);
  for (let i = 0; i < shuffled.length; i += 100) {
    const res = await vigil.app.inject({ method: 'POST', url: '/v1/runs', headers: auth(), payload: { runs: shuffled.slice(i, i + 100) } });
    expect(res.statusCode).toBe(200);
  }
  for (const run of first) truth.set(run.run_id, run);
  // Re-sent: 150 of them again with new values, some moved to another agent and hour.
  const resent = makeRuns(150, 2).map((run, i) => ({ ...run, run_id: `r-${i * 4}` }));
  const res = await vigil.app.inject({ method: 'POST', url: '/v1/runs', headers: auth(), payload: { runs: resent } });
  expect(res.statusCode).toBe(200);
  for (const run of resent) truth.set(run.run_id, run);
  await vigil.app.inject({
    method: 'POST', url: '/v1/agents', headers: auth(),
    payload: { name: 'support_bot', tools: [{ type: 'search' }, { type: 'fetch' }, { type: 'escalate', timeout_ms: 5_000 }] },
  });
  return () => vigil.close();
});

const runsOf = (agent: string, from = T0, to = T0 + DAY) =>
  [...truth.values()].filter((r) => r.agent_name === agent && r.timestamp >= from && r.timestamp < to);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const get = async (url: string) => vigil.app.inject({ method: 'GET', url, headers: auth() });

describe('GET /api/agents', () => {
  it('matches exact computation over the stored runs for every agent', async () => {
    const res = await get(`/api/agents?from=${T0}&to=${T0 + DAY}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.agents.map((a: { agent_name: string }) => a.agent_name)).toEqual(['planner', 'researcher', 'support_bot']);
    for (const a of body.agents) {
      const runs = runsOf(a.agent_name);
      expect(a.runs).toBe(runs.length);
      for (const s of COMPLETION_STATUSES) expect(a.status_counts[s]).toBe(runs.filter((r) => r.completion_status === s).length);
      const successes = runs.filter((r) => r.completion_status === 'success');
      expect(a.success_rate).toBeCloseTo(successes.length / runs.length, 5);
      const tokens = runs.map((r) => r.tokens.input + r.tokens.output);
      expect(a.total_tokens).toBe(sum(tokens));
      expect(a.tokens).toEqual({
        input: sum(runs.map((r) => r.tokens.input)),
        output: sum(runs.map((r) => r.tokens.output)),
        cached_input: sum(runs.map((r) => r.tokens.cached_input)),
        reasoning: 0,
      });
      expect(a.failed_run_tokens).toBe(sum(runs.filter((r) => r.completion_status !== 'success').map((r) => r.tokens.input + r.tokens.output)));
      expect(a.tokens_per_success).toBeCloseTo(sum(tokens) / successes.length, 0);
      expect(a.avg_iterations).toBeCloseTo(sum(runs.map((r) => r.iterations)) / runs.length, 2);
      const calls = runs.flatMap((r) => r.tool_calls);
      expect(a.tool_calls).toBe(calls.length);
      expect(a.tool_error_rate).toBeCloseTo(calls.filter((c) => c.status === 'error').length / calls.length, 5);
      expect(a.tool_timeout_rate).toBeCloseTo(calls.filter((c) => c.status === 'timeout').length / calls.length, 5);
      const durations = runs.map((r) => r.duration_ms);
      expectWithin1Percent(a.p50_latency_ms, exactQuantile(durations, 0.5));
      expectWithin1Percent(a.p95_latency_ms, exactQuantile(durations, 0.95));
      expectWithin1Percent(a.p99_latency_ms, exactQuantile(durations, 0.99));
      expect(Math.abs(a.p95_tokens - exactQuantile(tokens, 0.95))).toBeLessThanOrEqual(exactQuantile(tokens, 0.95) * 0.01 + 0.5);
      expectWithin1Percent(a.p95_iterations, exactQuantile(runs.map((r) => r.iterations), 0.95));
      // Priced at ingest from OpenAI's table; the house model is unknown and says so.
      const priced = runs.filter((r) => r.model === 'gpt-4o-mini');
      const expectedCost = sum(priced.map((r) => ((r.tokens.input - r.tokens.cached_input) * 0.15 + r.tokens.cached_input * 0.075 + r.tokens.output * 0.6) / 1e6));
      expect(a.cost_usd).toBeCloseTo(expectedCost, 5);
      expect(a.priced_runs).toBe(priced.length);
      expect(a.unpriced_runs).toBe(runs.length - priced.length);
      expect(a.unpriced_models).toEqual(runs.length > priced.length ? ['house-model-7b'] : []);
    }
    expect(body.unpriced_models).toEqual(['house-model-7b']);
  });

  it('answers zeros, never null or NaN, for a range without runs', async () => {
    const res = await get(`/api/agents?from=${T0 - 10 * DAY}&to=${T0 - 9 * DAY}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.agents).toHaveLength(3);
    expect(res.body).not.toMatch(/null|NaN/);
    for (const a of body.agents) expect(a).toMatchObject({ runs: 0, success_rate: 0, p95_latency_ms: 0, cost_usd: 0, tokens_per_success: 0 });
  });

  it('rejects a bad from or to with 400 naming the parameter', async () => {
    for (const [query, param] of [['from=yesterday', 'from'], ['to=13:00', 'to'], [`from=${T0 + DAY}&to=${T0}`, 'from']] as const) {
      const res = await get(`/api/agents?${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('INVALID_PARAMETER');
      expect(res.json().error.details[0].path).toBe(param);
    }
  });
});

describe('GET /api/agents/:agent_name/timeseries', () => {
  it('gives one point per hour matching exact per-hour computation', async () => {
    const res = await get(`/api/agents/support_bot/timeseries?from=${T0}&to=${T0 + DAY}&step=1h&metric=runs,success_rate,p95_latency_ms,tokens_per_run,tool_error_rate`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ agent_name: 'support_bot', step: '1h', step_ms: HOUR });
    expect(body.points).toHaveLength(24);
    for (const [i, p] of body.points.entries()) {
      expect(Date.parse(p.timestamp)).toBe(T0 + i * HOUR);
      expect(Object.keys(p).sort()).toEqual(['p95_latency_ms', 'runs', 'success_rate', 'timestamp', 'tokens_per_run', 'tool_error_rate']);
      const runs = runsOf('support_bot', T0 + i * HOUR, T0 + (i + 1) * HOUR);
      expect(p.runs).toBe(runs.length);
      if (runs.length === 0) {
        expect(p).toMatchObject({ success_rate: 0, p95_latency_ms: 0, tokens_per_run: 0 });
        continue;
      }
      expect(p.success_rate).toBeCloseTo(runs.filter((r) => r.completion_status === 'success').length / runs.length, 5);
      expectWithin1Percent(p.p95_latency_ms, exactQuantile(runs.map((r) => r.duration_ms), 0.95));
      expect(Math.abs(p.tokens_per_run - sum(runs.map((r) => r.tokens.input + r.tokens.output)) / runs.length)).toBeLessThanOrEqual(0.051);
    }
  });

  it('sums minute steps to the same totals as the hour steps', async () => {
    const range = `from=${T0 + 2 * HOUR + 17 * MINUTE}&to=${T0 + 9 * HOUR + 43 * MINUTE}`;
    const minutes = (await get(`/api/agents/planner/timeseries?${range}&step=1m&metric=runs`)).json();
    const hours = (await get(`/api/agents/planner/timeseries?${range}&step=1h&metric=runs`)).json();
    const total = (pts: { runs: number }[]) => sum(pts.map((p) => p.runs));
    expect(total(minutes.points)).toBe(runsOf('planner', T0 + 2 * HOUR + 17 * MINUTE, T0 + 9 * HOUR + 43 * MINUTE).length);
    expect(total(hours.points)).toBe(total(minutes.points));
    expect(Date.parse(hours.points[0].timestamp)).toBe(T0 + 2 * HOUR);
  });

  it('chooses a step when none is given and returns every metric', async () => {
    const body = (await get('/api/agents/planner/timeseries')).json();
    expect(body.step).toBe('5m');
    expect(body.points).toHaveLength(288);
    expect(body.metrics).toContain('p99_latency_ms');
    expect(body.metrics).toContain('cached_input_tokens_per_run');
  });

  it('answers 404 for an unknown agent', async () => {
    const res = await get('/api/agents/nobody/timeseries');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });

  it('rejects a bad step or metric with 400 naming the parameter', async () => {
    for (const [query, param] of [
      ['step=30s', 'step'], ['step=2d', 'step'], ['step=fast', 'step'], ['step=1m&from=2026-01-01T00:00:00Z', 'step'],
      ['metric=p42_latency', 'metric'], ['metric=runs&metric=cost_usd', 'metric'],
    ] as const) {
      const res = await get(`/api/agents/planner/timeseries?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.details[0].path).toBe(param);
    }
  });
});

describe('GET /api/agents/:agent_name/tools', () => {
  it('reports each tool exactly and flags declared tools that were never used', async () => {
    const res = await get(`/api/agents/support_bot/tools?from=${T0}&to=${T0 + DAY}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const runs = runsOf('support_bot');
    expect(body.runs).toBe(runs.length);
    expect(body.tools.map((t: { tool: string }) => t.tool)).toEqual(['escalate', 'fetch', 'search']);
    for (const t of body.tools) {
      const calls = runs.flatMap((r) => r.tool_calls).filter((c) => c.name === t.tool);
      expect(t.calls).toBe(calls.length);
      expect(t.declared).toBe(true);
      expect(t.errors).toBe(calls.filter((c) => c.status === 'error').length);
      expect(t.timeouts).toBe(calls.filter((c) => c.status === 'timeout').length);
      expect(t.calls_per_run).toBeCloseTo(calls.length / runs.length, 3);
      expect(t.runs_with_tool).toBe(runs.filter((r) => r.tool_calls.some((c) => c.name === t.tool)).length);
      let repeats = 0;
      for (const r of runs) r.tool_calls.forEach((c, i) => { if (i > 0 && c.name === t.tool && r.tool_calls[i - 1]!.name === c.name && r.tool_calls[i - 1]!.args_hash === c.args_hash) repeats++; });
      expect(t.repeated_args_calls).toBe(repeats);
      if (calls.length > 0) expectWithin1Percent(t.p95_duration_ms, exactQuantile(calls.map((c) => c.duration_ms), 0.95));
      expect(t.never_used).toBe(calls.length === 0);
    }
    expect(body.tools[0]).toMatchObject({ tool: 'escalate', timeout_ms: 5_000, calls: 0, never_used: true, p95_duration_ms: 0 });
  });

  it('answers 404 for an unknown agent', async () => {
    const res = await get('/api/agents/nobody/tools');
    expect(res.statusCode).toBe(404);
  });
});

describe('overused tools', () => {
  let own: VigilServer & { key: string };
  afterEach(async () => own?.close());

  it('flags a tool called far more per run than its own norm, or with repeated arguments', async () => {
    own = await startTestServer({ now: () => NOW });
    const call = (name: string, args: string) => ({ name, status: 'success', duration_ms: 10, args_hash: args });
    // Norm over the week before: one lookup per run, two different fetches.
    const baseline = Array.from({ length: 40 }, (_, i) => ({
      run_id: `b${i}`, agent_name: 'looper', completion_status: 'success', timestamp: T0 - 3 * DAY + i * MINUTE,
      tool_calls: [call('lookup', `x${i}`), call('fetch', 'a'), call('fetch', 'b')],
    }));
    // Now: four lookups per run, and fetch repeating its arguments.
    const recent = Array.from({ length: 20 }, (_, i) => ({
      run_id: `n${i}`, agent_name: 'looper', completion_status: 'success', timestamp: T0 + i * MINUTE,
      tool_calls: [call('lookup', `y${i}a`), call('lookup', `y${i}b`), call('lookup', `y${i}c`), call('lookup', `y${i}d`), call('fetch', 'a'), call('fetch', 'a')],
    }));
    const res = await own.app.inject({ method: 'POST', url: '/v1/runs', headers: auth(), payload: { runs: [...baseline, ...recent] } });
    expect(res.statusCode).toBe(200);
    const body = (await own.app.inject({ method: 'GET', url: `/api/agents/looper/tools?from=${T0}&to=${T0 + HOUR}`, headers: auth() })).json();
    const byName = Object.fromEntries(body.tools.map((t: { tool: string }) => [t.tool, t]));
    expect(byName.lookup).toMatchObject({ calls: 80, calls_per_run: 4, baseline_calls_per_run: 1, overused: true, declared: false, never_used: false });
    expect(byName.lookup.overuse_reasons[0]).toMatch(/4x its norm/);
    expect(byName.fetch).toMatchObject({ repeated_args_calls: 20, overused: true, baseline_calls_per_run: 2 });
    expect(byName.fetch.overuse_reasons).toHaveLength(1);
  });
});
