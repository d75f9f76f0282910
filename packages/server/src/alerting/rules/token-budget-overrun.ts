// TokenBudgetOverrun: a run in `window` used at least `ratio` × the agent's expected tokens: the
// declared `expected_tokens`, else the median of the `baseline` span before the window (needing
// `min_baseline_runs` runs there; with fewer there is no baseline and the rule stays quiet).
import { formatDuration } from '@vigil/protocol';
import { commonDefaults, listRunIds, round, type CommonRuleConfig, type Rule } from '../rule.js';
import { perAgentRule } from '../per-agent-rule.js';

export interface TokenBudgetOverrunConfig extends CommonRuleConfig {
  ratio: number;
  baselineMs: number;
  minBaselineRuns: number;
  windowMs: number;
}

export const TOKEN_BUDGET_OVERRUN_DEFAULTS: TokenBudgetOverrunConfig = {
  ...commonDefaults('warning'), ratio: 10, baselineMs: 24 * 3_600_000, minBaselineRuns: 20, windowMs: 15 * 60_000,
};

export function tokenBudgetOverrun(config: TokenBudgetOverrunConfig): Rule {
  return perAgentRule({ name: 'TokenBudgetOverrun', config, baselineMs: config.baselineMs }, ({ agent, runs, data, observe, runsUrl }) => {
    let expected: number | null = agent.expected_tokens;
    let source = 'declared expected_tokens';
    if (expected === null) {
      const b = data.baseline(agent.agent_name, config.baselineMs, config.windowMs);
      if (!b || b.runs < config.minBaselineRuns || b.medianTokens === null || b.medianTokens <= 0) return null;
      expected = b.medianTokens;
      source = `median of ${b.runs} runs over the preceding ${formatDuration(config.baselineMs)}`;
    }
    const limit = config.ratio * expected;
    const over = runs.filter((r) => r.tokens_used >= limit).sort((a, b) => b.tokens_used - a.tokens_used);
    if (over.length === 0) return null;
    const worst = over[0]!;
    const ratio = worst.tokens_used / expected;
    return observe(round(ratio, 2), {
      summary: `${agent.agent_name}: a run used ${round(ratio, 1)}× its expected tokens`,
      description: `${over.length} run${over.length === 1 ? '' : 's'} in the last ${formatDuration(config.windowMs)} used ≥ ${config.ratio}× ` +
        `the expected ${Math.round(expected)} tokens (${source}); the largest, ${worst.run_id}, used ${worst.tokens_used} tokens ` +
        `in ${worst.iterations} iterations.`,
      baseline: `${Math.round(expected)} tokens (${source})`,
      run_ids: listRunIds(over.map((r) => r.run_id)),
      why: worst.tool_calls.length > 0 ? `${worst.run_id} made ${worst.tool_calls.length} tool calls over ${worst.iterations} iterations` : undefined,
      runs_url: runsUrl(),
    });
  });
}
