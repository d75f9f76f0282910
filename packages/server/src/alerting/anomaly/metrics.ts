// What each agent metric means to the detector: which direction is bad, how small a change is
// never worth waking someone for, how much evidence a point needs, and how to print a value.
// Kept as data so that the detector itself stays metric-agnostic.

/** The per-agent, per-minute rollup metrics that Vigil watches, plus a generic default. */
export type MetricName =
  | 'volume'
  | 'success_rate'
  | 'p95_latency_ms'
  | 'tokens_per_run'
  | 'iterations_per_run'
  | 'tool_error_rate'
  | 'tool_timeout_rate'
  | 'default';

/** Which deviations count: 'up' (higher is bad), 'down' (lower is bad) or 'both'. */
export type WatchedDirection = 'up' | 'down' | 'both';

/**
 * How a metric's noise floor is modelled when its history is too calm to estimate one:
 * - 'count': a Poisson count (volume), noise ≥ √level;
 * - 'rate': a proportion in [0, 1] over `weight` trials, noise ≥ √(p(1−p)/weight);
 * - 'positive': a positive magnitude (latency, tokens), noise ≥ a small share of the level;
 * - 'generic': no assumption (used for NAB and unknown metrics).
 */
export type NoiseModel = 'count' | 'rate' | 'positive' | 'generic';

export interface MetricProfile {
  /** Words used in explanations, e.g. "p95 latency". */
  label: string;
  direction: WatchedDirection;
  noise: NoiseModel;
  /** For 'positive'/'count' metrics: |value/expected − 1| below this never alerts (0 = off). */
  minRelativeChange: number;
  /** For 'rate' metrics: |value − expected| below this never alerts, in rate units (0 = off). */
  minAbsoluteChange: number;
  /** For 'count' metrics: runs gained or lost over the short window below this never alert. */
  minAbsoluteEvents: number;
  /**
   * Runs (or tool calls) a point needs before it is judged. Smaller points are pooled with the
   * next ones until they reach it, so a quiet agent is judged on enough runs or not at all.
   */
  minWeight: number;
  format(value: number): string;
}

function formatDurationMs(ms: number): string {
  if (Math.abs(ms) >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  return `${Math.round(ms)} ms`;
}

function formatPercent(p: number): string {
  const pct = p * 100;
  return `${pct >= 10 || pct === 0 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

function formatNumber(v: number): string {
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1).replace(/\.0$/, '');
  return v.toFixed(2).replace(/\.?0+$/, '');
}

export const METRIC_PROFILES: Readonly<Record<MetricName, MetricProfile>> = {
  volume: {
    label: 'run volume',
    direction: 'both',
    noise: 'count',
    minRelativeChange: 0.5,
    minAbsoluteChange: 0,
    // Four runs in a minute from an agent that runs every few minutes is not an incident.
    minAbsoluteEvents: 5,
    minWeight: 0,
    format: (v) => `${formatNumber(v)} runs/min`,
  },
  success_rate: {
    label: 'success rate',
    direction: 'down',
    noise: 'rate',
    minRelativeChange: 0,
    minAbsoluteChange: 0.05,
    minAbsoluteEvents: 0,
    minWeight: 10,
    format: formatPercent,
  },
  p95_latency_ms: {
    label: 'p95 latency',
    direction: 'up',
    noise: 'positive',
    minRelativeChange: 0.3,
    minAbsoluteChange: 0,
    minAbsoluteEvents: 0,
    minWeight: 5,
    format: formatDurationMs,
  },
  tokens_per_run: {
    label: 'tokens per run',
    direction: 'up',
    noise: 'positive',
    minRelativeChange: 0.3,
    minAbsoluteChange: 0,
    minAbsoluteEvents: 0,
    minWeight: 5,
    format: (v) => `${formatNumber(v)} tokens`,
  },
  iterations_per_run: {
    label: 'iterations per run',
    direction: 'up',
    noise: 'positive',
    minRelativeChange: 0.3,
    minAbsoluteChange: 0,
    minAbsoluteEvents: 0,
    minWeight: 5,
    format: (v) => `${formatNumber(v)} iterations`,
  },
  tool_error_rate: {
    label: 'tool error rate',
    direction: 'up',
    noise: 'rate',
    minRelativeChange: 0,
    minAbsoluteChange: 0.05,
    minAbsoluteEvents: 0,
    minWeight: 10,
    format: formatPercent,
  },
  tool_timeout_rate: {
    label: 'tool timeout rate',
    direction: 'up',
    noise: 'rate',
    minRelativeChange: 0,
    minAbsoluteChange: 0.05,
    minAbsoluteEvents: 0,
    minWeight: 10,
    format: formatPercent,
  },
  default: {
    label: 'value',
    direction: 'both',
    noise: 'generic',
    minRelativeChange: 0,
    minAbsoluteChange: 0,
    minAbsoluteEvents: 0,
    minWeight: 0,
    format: formatNumber,
  },
};

export function metricProfile(metric: string): MetricProfile {
  return (METRIC_PROFILES as Record<string, MetricProfile | undefined>)[metric] ?? METRIC_PROFILES.default;
}
