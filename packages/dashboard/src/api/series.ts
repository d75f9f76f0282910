// Time series from GET /api/agents/:agent_name/timeseries (several metrics in one request),
// normalized to aligned arrays for charts. The metric names are the API's, listed once here.
import { api, withQuery } from './client';

export const METRIC = {
  runs: 'runs',
  successRate: 'success_rate',
  p50: 'p50_latency_ms',
  p95: 'p95_latency_ms',
  p99: 'p99_latency_ms',
  inputTokens: 'input_tokens_per_run',
  outputTokens: 'output_tokens_per_run',
  cachedTokens: 'cached_input_tokens_per_run',
  reasoningTokens: 'reasoning_tokens_per_run',
  cost: 'cost_usd',
  iterations: 'avg_iterations',
  toolErrorRate: 'tool_error_rate',
  toolTimeoutRate: 'tool_timeout_rate',
} as const;

export interface SeriesSet {
  /** Epoch ms of each step's start. */
  x: number[];
  byMetric: Map<string, (number | null)[]>;
  stepMs: number | null;
}

interface TimeseriesBody {
  step_ms?: number;
  points?: ({ timestamp: string } & Record<string, number | string | null>)[];
}

/** Steps with no runs carry zeros for rates and percentiles; they are gaps, not values. */
const GAP_WHEN_NO_RUNS = new Set<string>([METRIC.successRate, METRIC.p50, METRIC.p95, METRIC.p99, METRIC.inputTokens, METRIC.outputTokens, METRIC.cachedTokens, METRIC.reasoningTokens, METRIC.iterations, METRIC.toolErrorRate, METRIC.toolTimeoutRate]);

export function normalizeSeries(body: TimeseriesBody, metrics: readonly string[]): SeriesSet {
  const points = body.points ?? [];
  const x = points.map((p) => Date.parse(p.timestamp));
  const byMetric = new Map<string, (number | null)[]>();
  for (const m of metrics) {
    byMetric.set(
      m,
      points.map((p) => {
        const v = p[m];
        if (typeof v !== 'number' || !Number.isFinite(v)) return null;
        if (GAP_WHEN_NO_RUNS.has(m) && typeof p.runs === 'number' && p.runs === 0) return null;
        return v;
      }),
    );
  }
  return { x, byMetric, stepMs: body.step_ms ?? null };
}

export async function fetchSeries(agent: string, metrics: readonly string[], range: { from: string; to: string }, step?: string, signal?: AbortSignal): Promise<SeriesSet> {
  // `runs` always comes along: it tells an empty step from a zero.
  const wanted = metrics.includes(METRIC.runs) ? metrics : [...metrics, METRIC.runs];
  const body = await api<TimeseriesBody>(withQuery(`/api/agents/${encodeURIComponent(agent)}/timeseries`, { metric: wanted.join(','), ...range, step }), { signal });
  return normalizeSeries(body, wanted);
}
