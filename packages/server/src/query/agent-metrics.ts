// Turns summed rollups into the numbers the API promises. Every function answers a number for
// any input (0 when there is nothing to divide by), so no NaN or null reaches a client; `runs`
// beside each figure says whether there was data.
import { COMPLETION_STATUSES } from '@vigil/protocol';
import { sketchQuantile } from '../store/quantile-sketch.js';
import type { AgentStats, StatusCounts, ToolStats } from '../store/rollup.js';

/** a / b, or 0 when b is 0. */
export const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

/** Rounds to `digits` decimals; sums of floats (costs) would otherwise print 0.30000000000000004. */
export const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Fields of one agent over a range: the contract's (DESIGN.md) and the extras. */
export interface AgentSummary {
  runs: number;
  status_counts: StatusCounts;
  success_rate: number;
  p50_latency_ms: number;
  p95_latency_ms: number;
  p99_latency_ms: number;
  avg_latency_ms: number;
  avg_tokens: number;
  p95_tokens: number;
  total_tokens: number;
  tokens: { input: number; output: number; cached_input: number; reasoning: number };
  /** All tokens ÷ successful runs (÷ 1 when none succeeded): what one success costs. */
  tokens_per_success: number;
  /** Tokens of runs that did not succeed. */
  failed_run_tokens: number;
  /** Sum over priced runs; runs of unpriced models are counted in unpriced_runs instead. */
  cost_usd: number;
  priced_runs: number;
  unpriced_runs: number;
  avg_iterations: number;
  p95_iterations: number;
  tool_calls: number;
  tool_error_rate: number;
  tool_timeout_rate: number;
}

export function summarizeAgent(s: AgentStats): AgentSummary {
  const status = { ...s.status };
  for (const k of COMPLETION_STATUSES) status[k] = Math.max(0, status[k]);
  return {
    runs: s.runs,
    status_counts: status,
    success_rate: round(ratio(s.status.success, s.runs), 6),
    p50_latency_ms: round(sketchQuantile(s.duration_ms, 0.5), 1),
    p95_latency_ms: round(sketchQuantile(s.duration_ms, 0.95), 1),
    p99_latency_ms: round(sketchQuantile(s.duration_ms, 0.99), 1),
    avg_latency_ms: round(ratio(s.duration_ms_sum, s.runs), 1),
    avg_tokens: round(ratio(s.tokens_used_sum, s.runs), 1),
    p95_tokens: Math.round(sketchQuantile(s.tokens_used, 0.95)),
    total_tokens: s.tokens_used_sum,
    tokens: {
      input: s.tokens_input_sum,
      output: s.tokens_output_sum,
      cached_input: s.tokens_cached_input_sum,
      reasoning: s.tokens_reasoning_sum,
    },
    tokens_per_success: round(s.tokens_used_sum / Math.max(1, s.status.success), 1),
    failed_run_tokens: s.failed_tokens_sum,
    cost_usd: round(Math.max(0, s.cost_usd_sum), 6),
    priced_runs: s.priced_runs,
    unpriced_runs: s.runs - s.priced_runs,
    avg_iterations: round(ratio(s.iterations_sum, s.runs), 2),
    p95_iterations: round(sketchQuantile(s.iterations, 0.95), 1),
    tool_calls: s.tool_calls,
    tool_error_rate: round(ratio(s.tool_errors, s.tool_calls), 6),
    tool_timeout_rate: round(ratio(s.tool_timeouts, s.tool_calls), 6),
  };
}

/** Metrics a time series can carry (`metric=` of GET /api/agents/:agent_name/timeseries). */
export const SERIES_METRICS = {
  runs: (s: AgentStats) => s.runs,
  success_rate: (s: AgentStats) => round(ratio(s.status.success, s.runs), 6),
  error_runs: (s: AgentStats) => s.runs - s.status.success,
  p50_latency_ms: (s: AgentStats) => round(sketchQuantile(s.duration_ms, 0.5), 1),
  p95_latency_ms: (s: AgentStats) => round(sketchQuantile(s.duration_ms, 0.95), 1),
  p99_latency_ms: (s: AgentStats) => round(sketchQuantile(s.duration_ms, 0.99), 1),
  avg_latency_ms: (s: AgentStats) => round(ratio(s.duration_ms_sum, s.runs), 1),
  tokens_per_run: (s: AgentStats) => round(ratio(s.tokens_used_sum, s.runs), 1),
  input_tokens_per_run: (s: AgentStats) => round(ratio(s.tokens_input_sum, s.runs), 1),
  output_tokens_per_run: (s: AgentStats) => round(ratio(s.tokens_output_sum, s.runs), 1),
  cached_input_tokens_per_run: (s: AgentStats) => round(ratio(s.tokens_cached_input_sum, s.runs), 1),
  reasoning_tokens_per_run: (s: AgentStats) => round(ratio(s.tokens_reasoning_sum, s.runs), 1),
  p95_tokens: (s: AgentStats) => Math.round(sketchQuantile(s.tokens_used, 0.95)),
  cost_usd: (s: AgentStats) => round(Math.max(0, s.cost_usd_sum), 6),
  avg_iterations: (s: AgentStats) => round(ratio(s.iterations_sum, s.runs), 2),
  p95_iterations: (s: AgentStats) => round(sketchQuantile(s.iterations, 0.95), 1),
  tool_calls: (s: AgentStats) => s.tool_calls,
  tool_error_rate: (s: AgentStats) => round(ratio(s.tool_errors, s.tool_calls), 6),
  tool_timeout_rate: (s: AgentStats) => round(ratio(s.tool_timeouts, s.tool_calls), 6),
} as const satisfies Record<string, (s: AgentStats) => number>;

export type SeriesMetric = keyof typeof SERIES_METRICS;
export const SERIES_METRIC_NAMES = Object.keys(SERIES_METRICS) as SeriesMetric[];

export interface ToolFigures {
  calls: number;
  success: number;
  errors: number;
  timeouts: number;
  error_rate: number;
  timeout_rate: number;
  avg_duration_ms: number;
  p50_duration_ms: number;
  p95_duration_ms: number;
  runs_with_tool: number;
  repeated_args_calls: number;
}

export function summarizeTool(t: ToolStats): ToolFigures {
  return {
    calls: t.calls,
    success: t.success,
    errors: t.errors,
    timeouts: t.timeouts,
    error_rate: round(ratio(t.errors, t.calls), 6),
    timeout_rate: round(ratio(t.timeouts, t.calls), 6),
    avg_duration_ms: round(ratio(t.duration_ms_sum, t.timed_calls), 1),
    p50_duration_ms: round(sketchQuantile(t.duration_ms, 0.5), 1),
    p95_duration_ms: round(sketchQuantile(t.duration_ms, 0.95), 1),
    runs_with_tool: t.runs_with_tool,
    repeated_args_calls: t.repeated_args_calls,
  };
}
