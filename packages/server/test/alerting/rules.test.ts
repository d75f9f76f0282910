// Each built-in rule as a function of data: the condition, its gates (min_runs, baselines, "no
// data is not a drop"), its labels and its evidence. No store, no clock: a snapshot and a time.
import { describe, expect, it } from 'vitest';
import { baselineKey, createAlertData, type AgentBaseline, type RunFact } from '../../src/alerting/alert-data.js';
import type { Rule, RuleContext } from '../../src/alerting/rule.js';
import { builtinDefaults, builtinRules } from '../../src/alerting/rules/index.js';
import { customRuleDefaults, customThreshold } from '../../src/alerting/rules/custom-threshold.js';
import type { RunRecord } from '@vigil/protocol';
import { MINUTE, runsFromLine, spread, T0 } from './helpers.js';

const fact = (r: RunRecord): RunFact => ({
  run_id: r.run_id, agent_name: r.agent_name, ts: r.timestamp, duration_ms: r.duration_ms, tokens_used: r.tokens_used,
  iterations: r.iterations, cost_usd: r.cost_usd, completion_status: r.completion_status, error_type: r.error?.type ?? null,
  tool_calls: r.tool_calls.map((t) => ({ name: t.name, status: t.status, ts: t.started_at ?? r.timestamp, duration_ms: t.duration_ms, args_hash: t.args_hash, error_type: null })),
});

const NOW = T0 + 15 * MINUTE;
const defaults = builtinDefaults();
const rule = (name: string): Rule => builtinRules(defaults).find((r) => r.name === name)!;

function evaluate(r: Rule, runs: RunRecord[], opts: { baselines?: Record<string, AgentBaseline>; expected?: number; now?: number } = {}) {
  const baselines = new Map<string, Map<string, AgentBaseline>>();
  for (const need of r.needs.baselines ?? []) baselines.set(baselineKey(need.spanMs, need.windowMs), new Map(Object.entries(opts.baselines ?? {})));
  const data = createAlertData({
    now: opts.now ?? NOW,
    runs: runs.map(fact),
    agents: opts.expected ? [{ agent_name: 'bot', expected_tokens: opts.expected, max_iterations: 10 }] : [],
    baselines,
  });
  const ctx: RuleContext = { projectId: 1, data, runListUrl: (q) => `http://vigil.test/runs?agent_name=${q.agent_name}` };
  return r.evaluate(ctx) as ReturnType<Rule['evaluate']> & unknown[];
}

describe('SuccessRateDrop', () => {
  it('fires below 95% over 15m with the failed runs\' shared cause as the why', async () => {
    const runs = [...spread('bot', 'ok', 12, T0, 15 * MINUTE), ...spread('bot', 'timeout', 8, T0 + 1, 15 * MINUTE)];
    const [found, ...rest] = await evaluate(rule('SuccessRateDrop'), runs);
    expect(rest).toEqual([]);
    expect(found!.labels).toEqual({ alertname: 'SuccessRateDrop', agent: 'bot', severity: 'critical' });
    expect(found!.value).toBe(0.6);
    expect(found!.annotations.why).toContain('8 of 8 failed runs had create_ticket time out');
    expect(found!.annotations.run_ids?.split(', ')).toHaveLength(8);
    expect(found!.annotations.runs_url).toContain('agent_name=bot');
  });

  it('stays quiet under min_runs however bad the rate, and with no runs at all', async () => {
    expect(await evaluate(rule('SuccessRateDrop'), runsFromLine('bot', 'error error ok', T0))).toEqual([]);
    expect(await evaluate(rule('SuccessRateDrop'), [])).toEqual([]);
  });

  it('stays quiet at exactly the threshold', async () => {
    const runs = [...spread('bot', 'ok', 19, T0, 15 * MINUTE), ...spread('bot', 'error', 1, T0, 15 * MINUTE)];
    expect(await evaluate(rule('SuccessRateDrop'), runs)).toEqual([]);
  });
});

describe('IterationLimitHit', () => {
  it('fires on one iteration_limit run in the last 15m and forgets runs older than the window', async () => {
    const [found] = await evaluate(rule('IterationLimitHit'), runsFromLine('bot', 'ok iter ok', T0 + 5 * MINUTE), { expected: 1000 });
    expect(found!.labels).toEqual({ alertname: 'IterationLimitHit', agent: 'bot', severity: 'warning' });
    expect(found!.value).toBe(1);
    expect(found!.annotations.description).toContain('max_iterations: 10');
    expect(await evaluate(rule('IterationLimitHit'), runsFromLine('bot', 'iter', T0 - MINUTE))).toEqual([]);
  });
});

describe('ToolTimeoutChain', () => {
  it('fires per agent and tool on three timeouts in a row within 10m', async () => {
    const [found, ...rest] = await evaluate(rule('ToolTimeoutChain'), runsFromLine('bot', 'ok ok timeout timeout timeout', T0 + 6 * MINUTE));
    expect(rest).toEqual([]);
    expect(found!.labels).toEqual({ alertname: 'ToolTimeoutChain', agent: 'bot', tool: 'create_ticket', severity: 'warning' });
    expect(found!.value).toBe(3);
    expect(found!.annotations.run_ids?.split(', ')).toHaveLength(3);
  });

  it('does not fire when a success breaks the chain', async () => {
    expect(await evaluate(rule('ToolTimeoutChain'), runsFromLine('bot', 'timeout timeout error timeout timeout', T0 + 6 * MINUTE))).toEqual([]);
  });
});

describe('TokenBudgetOverrun', () => {
  it('fires on a run at 10× the declared expected_tokens', async () => {
    const [found] = await evaluate(rule('TokenBudgetOverrun'), runsFromLine('bot', 'ok big ok', T0 + MINUTE), { expected: 1000 });
    expect(found!.labels).toEqual({ alertname: 'TokenBudgetOverrun', agent: 'bot', severity: 'warning' });
    expect(found!.value).toBe(20);
    expect(found!.annotations.baseline).toContain('declared expected_tokens');
  });

  it('falls back to the 24h median, and without 20 baseline runs has no baseline', async () => {
    const runs = runsFromLine('bot', 'ok big', T0 + MINUTE);
    const [found] = await evaluate(rule('TokenBudgetOverrun'), runs, { baselines: { bot: { runs: 500, p95DurationMs: 1000, medianTokens: 1000 } } });
    expect(found!.annotations.baseline).toContain('median of 500 runs');
    expect(await evaluate(rule('TokenBudgetOverrun'), runs, { baselines: { bot: { runs: 19, p95DurationMs: 1000, medianTokens: 1000 } } })).toEqual([]);
  });
});

describe('LatencyP95Spike', () => {
  const baseline = { bot: { runs: 1000, p95DurationMs: 1000, medianTokens: 1000 } };

  it('fires when the 15m p95 is ≥ 1.5× the 24h p95, naming the tool the slow runs waited on', async () => {
    const runs = [...spread('bot', 'ok', 10, T0, 15 * MINUTE), ...spread('bot', 'slow', 10, T0 + 1, 15 * MINUTE)];
    const [found] = await evaluate(rule('LatencyP95Spike'), runs, { baselines: baseline });
    expect(found!.labels).toEqual({ alertname: 'LatencyP95Spike', agent: 'bot', severity: 'warning' });
    expect(found!.value).toBe(3);
    expect(found!.annotations.why).toBe('10 of 10 slow runs spent most time in search_kb (mean 2.5 s per call)');
    expect(found!.annotations.baseline).toBe('p95 1.0 s over 1000 runs');
  });

  it('needs 20 runs in the window', async () => {
    expect(await evaluate(rule('LatencyP95Spike'), spread('bot', 'slow', 19, T0, 15 * MINUTE), { baselines: baseline })).toEqual([]);
  });
});

describe('AgentLooping', () => {
  it('fires per agent and tool on the same call with identical arguments three times in a row', async () => {
    const [found] = await evaluate(rule('AgentLooping'), runsFromLine('bot', 'ok loop ok', T0 + MINUTE));
    expect(found!.labels).toEqual({ alertname: 'AgentLooping', agent: 'bot', tool: 'search_kb', severity: 'warning' });
    expect(found!.value).toBe(4);
    expect(found!.annotations.description).toContain('same-args');
  });

  it('does not count calls with different arguments', async () => {
    expect(await evaluate(rule('AgentLooping'), runsFromLine('bot', 'ok iter ok', T0 + MINUTE))).toEqual([]);
  });
});

describe('custom threshold rules', () => {
  it('compare an analytics metric over the window for the selected agents only', async () => {
    const r = customThreshold({ ...customRuleDefaults(), name: 'SlowBot', metric: 'avg_latency_ms', op: '>', threshold: 2000, agent: 'bot', labels: { team: 'support' } });
    const runs = [...runsFromLine('bot', 'slow slow', T0 + MINUTE), ...runsFromLine('other', 'slow slow', T0 + MINUTE)];
    const found = await evaluate(r, runs);
    expect(found.map((f) => f.labels)).toEqual([{ team: 'support', alertname: 'SlowBot', agent: 'bot', severity: 'warning' }]);
    expect(found[0]!.value).toBe(3000);
  });
});

it('the built-in rules are exactly the ones DESIGN.md names, on by default', () => {
  expect(builtinRules(builtinDefaults()).map((r) => r.name)).toEqual([
    'IterationLimitHit', 'ToolTimeoutChain', 'TokenBudgetOverrun', 'LatencyP95Spike', 'SuccessRateDrop', 'AgentLooping',
  ]);
});
