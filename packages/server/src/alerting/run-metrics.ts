// Agent metrics over a set of runs, named as the analytics API names them, for custom threshold
// rules. A metric with no data (no runs, no tool calls) is null, never 0.
import { quantile, type RunFact } from './alert-data.js';

export const CUSTOM_METRICS = [
  'runs', 'success_rate', 'error_rate', 'p50_latency_ms', 'p95_latency_ms', 'p99_latency_ms', 'avg_latency_ms',
  'avg_tokens', 'total_tokens', 'cost_usd', 'avg_iterations', 'tool_error_rate', 'tool_timeout_rate', 'iteration_limit_rate',
] as const;

export type CustomMetric = (typeof CUSTOM_METRICS)[number];

/** Metrics that are proportions: their thresholds must lie in [0, 1]. */
export const RATE_METRICS: readonly CustomMetric[] = ['success_rate', 'error_rate', 'tool_error_rate', 'tool_timeout_rate', 'iteration_limit_rate'];

export function metricOf(runs: readonly RunFact[], metric: CustomMetric): number | null {
  const n = runs.length;
  if (metric === 'runs') return n;
  if (n === 0) return null;
  const count = (f: (r: RunFact) => boolean) => runs.reduce((a, r) => a + (f(r) ? 1 : 0), 0);
  const sum = (f: (r: RunFact) => number) => runs.reduce((a, r) => a + f(r), 0);
  switch (metric) {
    case 'success_rate': return count((r) => r.completion_status === 'success') / n;
    case 'error_rate': return count((r) => r.completion_status !== 'success') / n;
    case 'iteration_limit_rate': return count((r) => r.completion_status === 'iteration_limit') / n;
    case 'p50_latency_ms': return quantile(runs.map((r) => r.duration_ms), 0.5);
    case 'p95_latency_ms': return quantile(runs.map((r) => r.duration_ms), 0.95);
    case 'p99_latency_ms': return quantile(runs.map((r) => r.duration_ms), 0.99);
    case 'avg_latency_ms': return sum((r) => r.duration_ms) / n;
    case 'avg_tokens': return sum((r) => r.tokens_used) / n;
    case 'total_tokens': return sum((r) => r.tokens_used);
    case 'cost_usd': return sum((r) => r.cost_usd ?? 0);
    case 'avg_iterations': return sum((r) => r.iterations) / n;
    case 'tool_error_rate':
    case 'tool_timeout_rate': {
      const calls = sum((r) => r.tool_calls.length);
      if (calls === 0) return null;
      const bad = metric === 'tool_error_rate' ? (s: string) => s !== 'success' : (s: string) => s === 'timeout';
      return sum((r) => r.tool_calls.filter((t) => bad(t.status)).length) / calls;
    }
  }
}
