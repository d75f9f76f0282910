// Generates labelled per-minute agent metric series: a fleet of steady agents with daily and
// weekly seasonality and sampling noise, and incidents of known kind, start and end. Seeded, so
// every run of the benchmark sees the same data. Pure: no I/O.
import type { MetricName } from '../../packages/server/src/alerting/anomaly/index.js';
import { gaussian } from '../lib/seeded-random.js';

export const MINUTE_MS = 60_000;
export const DAY_MINUTES = 1440;
/** A Monday 00:00 UTC, so weekday effects fall on the right days. */
export const START_MS = Date.UTC(2026, 0, 5);

export type IncidentKind = 'latency_shift' | 'slow_creep' | 'token_bloat' | 'tool_failure' | 'volume_drop' | 'error_burst';
export const INCIDENT_KINDS: readonly IncidentKind[] = ['latency_shift', 'slow_creep', 'token_bloat', 'tool_failure', 'volume_drop', 'error_burst'];
/** Incidents that are a step change, for which detection delay is reported. */
export const LEVEL_SHIFT_KINDS: readonly IncidentKind[] = ['latency_shift', 'token_bloat', 'volume_drop'];

/** Which metrics an incident moves (a detection on any of them counts). */
export const INCIDENT_METRICS: Readonly<Record<IncidentKind, readonly MetricName[]>> = {
  latency_shift: ['p95_latency_ms'],
  slow_creep: ['p95_latency_ms'],
  token_bloat: ['tokens_per_run', 'iterations_per_run'],
  tool_failure: ['tool_error_rate', 'success_rate'],
  volume_drop: ['volume'],
  error_burst: ['success_rate'],
};

export interface Incident {
  kind: IncidentKind;
  startMinute: number;
  endMinute: number;
}

export interface AgentProfile {
  name: string;
  /** Mean runs per minute at the daily average. */
  runsPerMinute: number;
  dailyAmplitude: number;
  /** Volume multiplier on Saturdays and Sundays. */
  weekendFactor: number;
  peakHourUtc: number;
  latencyMs: number;
  tokens: number;
  iterations: number;
  successRate: number;
  toolCallsPerRun: number;
  toolErrorRate: number;
  toolTimeoutRate: number;
}

export interface MetricPoint {
  metric: MetricName;
  value: number;
  weight: number;
}

function poisson(rng: () => number, lambda: number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(rng)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = rng();
  while (p > l) {
    k++;
    p *= rng();
  }
  return k;
}

function binomial(rng: () => number, n: number, p: number): number {
  if (n > 50) return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * gaussian(rng))));
  let k = 0;
  for (let i = 0; i < n; i++) if (rng() < p) k++;
  return k;
}

export function randomAgent(rng: () => number, name: string): AgentProfile {
  // A mix of busy and quiet agents: log-uniform from 0.3 to 40 runs per minute.
  const runsPerMinute = Math.exp(Math.log(0.3) + rng() * Math.log(40 / 0.3));
  return {
    name,
    runsPerMinute,
    dailyAmplitude: 0.3 + 0.5 * rng(),
    weekendFactor: 0.3 + 0.6 * rng(),
    peakHourUtc: Math.floor(rng() * 24),
    latencyMs: 800 + 6000 * rng(),
    tokens: 1500 + 8000 * rng(),
    iterations: 2 + 6 * rng(),
    successRate: 0.95 + 0.04 * rng(),
    toolCallsPerRun: 1 + 3 * rng(),
    toolErrorRate: 0.01 + 0.03 * rng(),
    toolTimeoutRate: 0.002 + 0.01 * rng(),
  };
}

/** The multiplier an incident applies at a minute, per affected quantity. */
function effects(incidents: readonly Incident[], minute: number) {
  const e = { volume: 1, latency: 1, tokens: 1, iterations: 1, toolError: 0, success: 0 };
  for (const inc of incidents) {
    if (minute < inc.startMinute || minute >= inc.endMinute) continue;
    const progress = (minute - inc.startMinute) / Math.max(1, inc.endMinute - inc.startMinute);
    switch (inc.kind) {
      case 'latency_shift': e.latency *= 2; break;
      case 'slow_creep': e.latency *= 1 + 1.5 * progress; break;
      case 'token_bloat': e.tokens *= 1.8; e.iterations *= 1.5; break;
      case 'tool_failure': e.toolError += 0.25; e.success += 0.12; break;
      case 'volume_drop': e.volume = 0; break;
      case 'error_burst': e.success += 0.35; break;
    }
  }
  return e;
}

/**
 * One minute of one agent's rollups. Metrics with no runs behind them are left out, as the
 * rollups would have no value for them.
 */
export function agentMinute(rng: () => number, a: AgentProfile, minute: number, incidents: readonly Incident[]): MetricPoint[] {
  const t = START_MS + minute * MINUTE_MS;
  const hour = (t / 3_600_000) % 24;
  const weekday = (Math.floor(t / 86_400_000) + 4) % 7;
  const daily = 1 + a.dailyAmplitude * Math.cos(((hour - a.peakHourUtc) / 24) * 2 * Math.PI);
  const weekly = weekday === 0 || weekday === 6 ? a.weekendFactor : 1;
  const e = effects(incidents, minute);
  const n = poisson(rng, a.runsPerMinute * daily * weekly * e.volume);
  const out: MetricPoint[] = [{ metric: 'volume', value: n, weight: n }];
  if (n === 0) return out;
  // Busy hours are a little slower: load shows in latency.
  const load = 1 + 0.15 * (daily - 1);
  const pSuccess = Math.max(0, a.successRate - e.success);
  out.push({ metric: 'success_rate', value: binomial(rng, n, pSuccess) / n, weight: n });
  const p95Noise = 0.35 / Math.sqrt(n) + 0.05;
  out.push({ metric: 'p95_latency_ms', value: a.latencyMs * load * e.latency * Math.exp(p95Noise * gaussian(rng)), weight: n });
  out.push({ metric: 'tokens_per_run', value: a.tokens * e.tokens * Math.exp((0.3 / Math.sqrt(n)) * gaussian(rng)), weight: n });
  out.push({ metric: 'iterations_per_run', value: Math.max(1, a.iterations * e.iterations * (1 + (0.25 / Math.sqrt(n)) * gaussian(rng))), weight: n });
  const calls = Math.max(1, Math.round(n * a.toolCallsPerRun));
  out.push({ metric: 'tool_error_rate', value: binomial(rng, calls, Math.min(1, a.toolErrorRate + e.toolError)) / calls, weight: calls });
  out.push({ metric: 'tool_timeout_rate', value: binomial(rng, calls, a.toolTimeoutRate) / calls, weight: calls });
  return out;
}

/** Durations (minutes) per incident kind: [min, max]. */
const DURATIONS: Readonly<Record<IncidentKind, readonly [number, number]>> = {
  latency_shift: [60, 180],
  slow_creep: [180, 360],
  token_bloat: [240, 480],
  tool_failure: [30, 120],
  volume_drop: [30, 90],
  error_burst: [10, 20],
};

export function randomIncident(rng: () => number, kind: IncidentKind, fromMinute: number, toMinute: number): Incident {
  const [lo, hi] = DURATIONS[kind];
  const duration = Math.round(lo + (hi - lo) * rng());
  const startMinute = fromMinute + Math.floor(rng() * Math.max(1, toMinute - fromMinute - duration));
  return { kind, startMinute, endMinute: startMinute + duration };
}
