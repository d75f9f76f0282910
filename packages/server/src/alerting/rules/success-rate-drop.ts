// SuccessRateDrop: the agent's success rate over `window` is below `threshold`, with at least
// `min_runs` runs there (no runs is no data, not a drop). The why: what the failed runs share —
// a tool that failed or timed out in most of them, their error types, their end states.
import { formatDuration } from '@vigil/protocol';
import type { RunFact } from '../alert-data.js';
import { commonDefaults, listRunIds, percent, round, type CommonRuleConfig, type Rule } from '../rule.js';
import { perAgentRule } from '../per-agent-rule.js';

export interface SuccessRateDropConfig extends CommonRuleConfig {
  windowMs: number;
  threshold: number;
  minRuns: number;
}

export const SUCCESS_RATE_DROP_DEFAULTS: SuccessRateDropConfig = { ...commonDefaults('critical'), windowMs: 15 * 60_000, threshold: 0.95, minRuns: 20 };

const VERB: Record<string, string> = { timeout: 'time out', error: 'fail' };

function top<K>(counts: Map<K, number>): [K, number] | null {
  let best: [K, number] | null = null;
  for (const e of counts) if (!best || e[1] > best[1]) best = e;
  return best;
}

/**
 * What the failed runs have in common, as short sentences, most telling first:
 * "31 of 38 failed runs had create_ticket time out", "29 of 38 ended with error RateLimitError".
 */
export function explainFailures(failed: readonly RunFact[]): string[] {
  const n = failed.length;
  const toolFailures = new Map<string, number>();
  const errors = new Map<string, number>();
  const statuses = new Map<string, number>();
  for (const r of failed) {
    const seen = new Set<string>();
    for (const t of r.tool_calls) if (t.status !== 'success') seen.add(`${t.name}\u0000${t.status}`);
    for (const k of seen) toolFailures.set(k, (toolFailures.get(k) ?? 0) + 1);
    if (r.error_type) errors.set(r.error_type, (errors.get(r.error_type) ?? 0) + 1);
    statuses.set(r.completion_status, (statuses.get(r.completion_status) ?? 0) + 1);
  }
  const why: string[] = [];
  const tool = top(toolFailures);
  if (tool) {
    const [name, status] = tool[0].split('\u0000') as [string, string];
    why.push(`${tool[1]} of ${n} failed runs had ${name} ${VERB[status] ?? status}`);
  }
  const error = top(errors);
  if (error && error[1] * 2 >= n) why.push(`${error[1]} of ${n} ended with error ${error[0]}`);
  const parts = [...statuses].sort((a, b) => b[1] - a[1]).map(([s, c]) => `${c} ${s}`);
  why.push(`end states: ${parts.join(', ')}`);
  return why;
}

export function successRateDrop(config: SuccessRateDropConfig): Rule {
  return perAgentRule({ name: 'SuccessRateDrop', config }, ({ agent, runs, observe, runsUrl }) => {
    if (runs.length < config.minRuns) return null;
    const failed = runs.filter((r) => r.completion_status !== 'success');
    const rate = (runs.length - failed.length) / runs.length;
    if (rate >= config.threshold) return null;
    const why = explainFailures(failed);
    return observe(round(rate, 4), {
      summary: `${agent.agent_name}: success rate ${percent(rate)} over the last ${formatDuration(config.windowMs)} (threshold ${percent(config.threshold)})`,
      description: `${failed.length} of ${runs.length} runs did not succeed. ${why[0]}.`,
      baseline: `threshold ${config.threshold}`,
      run_ids: listRunIds(failed.map((r) => r.run_id)),
      why: why.join('; '),
      runs_url: runsUrl({ completion_status: 'error,timeout,iteration_limit,cancelled,gave_up' }),
    });
  });
}
