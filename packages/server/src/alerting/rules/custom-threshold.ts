// `custom:` rules: a threshold on any agent metric over a window, for the agents a selector picks.
// The alertname is the rule's `name`; its extra `labels` are added to every instance.
import { formatDuration } from '@vigil/protocol';
import { metricOf, type CustomMetric } from '../run-metrics.js';
import { commonDefaults, listRunIds, round, type CommonRuleConfig, type Rule } from '../rule.js';
import { perAgentRule } from '../per-agent-rule.js';

export const COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Comparison = (typeof COMPARISONS)[number];

export interface CustomRuleConfig extends CommonRuleConfig {
  name: string;
  metric: CustomMetric;
  op: Comparison;
  threshold: number;
  windowMs: number;
  /** Fewer runs than this in the window is no data. Default 1. */
  minRuns: number;
  /** Exact agent name; null = every agent. */
  agent: string | null;
  /** Agent name pattern (anchored); null = no pattern. */
  agentRegex: RegExp | null;
  labels: Record<string, string>;
  summary: string | null;
}

export const customRuleDefaults = (): Omit<CustomRuleConfig, 'name' | 'metric' | 'op' | 'threshold'> => ({
  ...commonDefaults('warning'), windowMs: 15 * 60_000, minRuns: 1, agent: null, agentRegex: null, labels: {}, summary: null,
});

export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case '>': return value > threshold;
    case '>=': return value >= threshold;
    case '<': return value < threshold;
    case '<=': return value <= threshold;
    case '==': return value === threshold;
    case '!=': return value !== threshold;
  }
}

export function customThreshold(config: CustomRuleConfig): Rule {
  const select = (agent: { agent_name: string }): boolean =>
    (config.agent === null || agent.agent_name === config.agent) && (config.agentRegex === null || config.agentRegex.test(agent.agent_name));
  return perAgentRule({ name: config.name, config, labels: config.labels, select }, ({ agent, runs, observe, runsUrl }) => {
    if (runs.length < config.minRuns) return null;
    const value = metricOf(runs, config.metric);
    if (value === null || !compare(value, config.op, config.threshold)) return null;
    const shown = round(value, 4);
    return observe(shown, {
      summary: config.summary ?? `${agent.agent_name}: ${config.metric} ${shown} ${config.op} ${config.threshold}`,
      description: `${config.metric} over the last ${formatDuration(config.windowMs)} is ${shown} across ${runs.length} runs ` +
        `(rule ${config.name}: ${config.metric} ${config.op} ${config.threshold}).`,
      baseline: `threshold ${config.threshold}`,
      run_ids: listRunIds(runs.slice(-10).map((r) => r.run_id)),
      runs_url: runsUrl(),
    });
  });
}
