// IterationLimitHit: at least `min_count` runs of an agent ended `iteration_limit` within `window`.
// Evidence: the runs, the declared max_iterations, and the tool those runs called most.
import { formatDuration } from '@vigil/protocol';
import { commonDefaults, listRunIds, type CommonRuleConfig, type Rule } from '../rule.js';
import { perAgentRule } from '../per-agent-rule.js';
import type { RunFact } from '../alert-data.js';

export interface IterationLimitHitConfig extends CommonRuleConfig {
  windowMs: number;
  minCount: number;
}

export const ITERATION_LIMIT_HIT_DEFAULTS: IterationLimitHitConfig = { ...commonDefaults('warning'), windowMs: 15 * 60_000, minCount: 1 };

/** The tool called most often across runs, with its call count per run. */
export function mostCalledTool(runs: readonly RunFact[]): { name: string; perRun: number } | null {
  const counts = new Map<string, number>();
  for (const r of runs) for (const t of r.tool_calls) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  let best: { name: string; perRun: number } | null = null;
  for (const [name, n] of counts) if (!best || n / runs.length > best.perRun) best = { name, perRun: n / runs.length };
  return best;
}

export function iterationLimitHit(config: IterationLimitHitConfig): Rule {
  return perAgentRule({ name: 'IterationLimitHit', config }, ({ agent, runs, observe, runsUrl }) => {
    const hits = runs.filter((r) => r.completion_status === 'iteration_limit');
    if (hits.length === 0 || hits.length < config.minCount) return null;
    const window = formatDuration(config.windowMs);
    const maxIter = Math.max(...hits.map((r) => r.iterations));
    const top = mostCalledTool(hits);
    return observe(hits.length, {
      summary: `${agent.agent_name}: ${hits.length} run${hits.length === 1 ? '' : 's'} hit the iteration limit in the last ${window}`,
      description: `${hits.length} of ${runs.length} runs in the last ${window} ended iteration_limit` +
        `${agent.max_iterations !== null ? ` (max_iterations: ${agent.max_iterations})` : ''}; the longest ran ${maxIter} iterations.`,
      run_ids: listRunIds(hits.map((r) => r.run_id)),
      why: top ? `these runs called ${top.name} ${top.perRun.toFixed(1)} times each on average` : undefined,
      runs_url: runsUrl({ completion_status: 'iteration_limit' }),
    });
  });
}
