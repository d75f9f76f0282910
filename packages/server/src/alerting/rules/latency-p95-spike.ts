// LatencyP95Spike: the agent's p95 run duration over `window` is at least `ratio` × its p95 over
// the `baseline` span before the window; both need enough runs (`min_runs`, `min_baseline_runs`).
// The why: the tool where the runs slower than the usual p95 spent most of their time.
import { formatDuration } from '@vigil/protocol';
import { quantile, type RunFact } from '../alert-data.js';
import { commonDefaults, listRunIds, ms, round, type CommonRuleConfig, type Rule } from '../rule.js';
import { perAgentRule } from '../per-agent-rule.js';

export interface LatencyP95SpikeConfig extends CommonRuleConfig {
  windowMs: number;
  baselineMs: number;
  ratio: number;
  minRuns: number;
  minBaselineRuns: number;
}

export const LATENCY_P95_SPIKE_DEFAULTS: LatencyP95SpikeConfig = {
  ...commonDefaults('warning'), windowMs: 15 * 60_000, baselineMs: 24 * 3_600_000, ratio: 1.5, minRuns: 20, minBaselineRuns: 20,
};

/** The tool with the most total call time across `runs`, with how many of them called it and its mean call time. */
export function slowestTool(runs: readonly RunFact[]): { name: string; runs: number; meanMs: number } | null {
  const total = new Map<string, { ms: number; calls: number; runs: Set<string> }>();
  for (const r of runs) {
    for (const t of r.tool_calls) {
      if (t.duration_ms === null) continue;
      let e = total.get(t.name);
      if (!e) total.set(t.name, (e = { ms: 0, calls: 0, runs: new Set() }));
      e.ms += t.duration_ms;
      e.calls++;
      e.runs.add(r.run_id);
    }
  }
  let best: { name: string; runs: number; meanMs: number; ms: number } | null = null;
  for (const [name, e] of total) if (!best || e.ms > best.ms) best = { name, runs: e.runs.size, meanMs: e.ms / e.calls, ms: e.ms };
  return best && { name: best.name, runs: best.runs, meanMs: best.meanMs };
}

export function latencyP95Spike(config: LatencyP95SpikeConfig): Rule {
  return perAgentRule({ name: 'LatencyP95Spike', config, baselineMs: config.baselineMs }, ({ agent, runs, data, observe, runsUrl }) => {
    if (runs.length < config.minRuns) return null;
    const b = data.baseline(agent.agent_name, config.baselineMs, config.windowMs);
    if (!b || b.runs < config.minBaselineRuns || b.p95DurationMs === null || b.p95DurationMs <= 0) return null;
    const p95 = quantile(runs.map((r) => r.duration_ms), 0.95)!;
    const ratio = p95 / b.p95DurationMs;
    if (ratio < config.ratio) return null;
    const slow = runs.filter((r) => r.duration_ms > b.p95DurationMs!).sort((x, y) => y.duration_ms - x.duration_ms);
    const tool = slowestTool(slow);
    const window = formatDuration(config.windowMs);
    return observe(round(ratio, 2), {
      summary: `${agent.agent_name}: p95 latency ${ms(p95)} is ${round(ratio, 1)}× its usual ${ms(b.p95DurationMs)}`,
      description: `p95 run duration over the last ${window} is ${ms(p95)} across ${runs.length} runs, against ${ms(b.p95DurationMs)} ` +
        `over the preceding ${formatDuration(config.baselineMs)} (${b.runs} runs); ${slow.length} runs were slower than the usual p95.`,
      baseline: `p95 ${ms(b.p95DurationMs)} over ${b.runs} runs`,
      run_ids: listRunIds(slow.map((r) => r.run_id)),
      why: tool ? `${tool.runs} of ${slow.length} slow runs spent most time in ${tool.name} (mean ${ms(tool.meanMs)} per call)` : undefined,
      runs_url: runsUrl(),
    });
  });
}
