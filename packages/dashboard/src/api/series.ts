// Time series from GET /api/agents/:agent_name/timeseries, normalized to aligned arrays for
// charts. The metric names the analytics API accepts are listed once, here.
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

export interface Series {
  /** Epoch ms of each bucket's start. */
  x: number[];
  values: (number | null)[];
}

type RawPoint = { t?: number | string; timestamp?: number | string; time?: number | string; value?: number | null } | [number | string, number | null];

const toMs = (t: number | string | undefined): number => (typeof t === 'number' ? t : t === undefined ? NaN : Date.parse(t));

export function normalizeSeries(body: unknown): Series {
  const b = body as { points?: RawPoint[]; series?: RawPoint[]; data?: RawPoint[] };
  const points = b.points ?? b.series ?? b.data ?? [];
  const x: number[] = [];
  const values: (number | null)[] = [];
  for (const p of points) {
    const [t, v] = Array.isArray(p) ? [toMs(p[0]), p[1]] : [toMs(p.t ?? p.timestamp ?? p.time), p.value ?? null];
    if (!Number.isFinite(t)) continue;
    x.push(t);
    values.push(typeof v === 'number' && Number.isFinite(v) ? v : null);
  }
  return { x, values };
}

export async function fetchSeries(agent: string, metric: string, range: { from: string; to: string }, step?: string, signal?: AbortSignal): Promise<Series> {
  const body = await api<unknown>(withQuery(`/api/agents/${encodeURIComponent(agent)}/timeseries`, { metric, ...range, step }), { signal });
  return normalizeSeries(body);
}
