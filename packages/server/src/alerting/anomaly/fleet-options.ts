// Options of the fleet detector, their defaults and the reasons for them. Resolved once into a
// complete object that travels with the serialised state.
import type { Sensitivity } from './detector.js';

/** How long each metric must stay anomalous before it pages (blips do not), in minutes. */
export const DEFAULT_MIN_DURATION_MINUTES: Readonly<Record<string, number>> = {
  // Traffic wobbles most (bursts, batches, a client retrying): five minutes of it.
  volume: 5,
  success_rate: 3,
  p95_latency_ms: 3,
  tokens_per_run: 3,
  iterations_per_run: 3,
  tool_error_rate: 3,
  tool_timeout_rate: 3,
};
const FALLBACK_MIN_DURATION_MINUTES = 3;

export interface FleetOptions {
  /** At least this many agents… */
  minAgents: number;
  /** …and at least this share of the project's agents reporting the metric. */
  minShare: number;
  /** The many agents must be anomalous together for this many consecutive minutes. */
  minDurationMinutes: number;
  /** Agents that turn anomalous this soon after a fleet condition are explained by it. */
  windowMinutes: number;
}

export interface FleetDetectorOptions {
  /** Default 'medium'. */
  sensitivity?: Sensitivity;
  /** Minutes east of UTC for hour-of-day and weekday baselines. Default 0. */
  tzOffsetMinutes?: number;
  fleet?: Partial<FleetOptions>;
  /** Per-metric override of DEFAULT_MIN_DURATION_MINUTES. */
  minDurationMinutes?: Record<string, number>;
  /** A single minute this many sensitivity thresholds out pages without waiting. Default 2.5. */
  extremeFactor?: number;
  /** An incident stays open through quiet spells shorter than this. Default 15 minutes. */
  quietMinutes?: number;
}

export interface ResolvedFleetDetectorOptions {
  sensitivity: Sensitivity;
  tzOffsetMinutes: number;
  fleet: FleetOptions;
  minDurationMinutes: Record<string, number>;
  extremeFactor: number;
  quietMinutes: number;
}

export const DEFAULT_FLEET: Readonly<FleetOptions> = {
  // Three agents moving together is already more than chance in a small project; in a large one
  // a fifth of the fleet is: a provider or region problem, a holiday.
  minAgents: 3,
  minShare: 0.2,
  minDurationMinutes: 3,
  windowMinutes: 5,
};

export function resolveFleetOptions(o: FleetDetectorOptions = {}): ResolvedFleetDetectorOptions {
  return {
    sensitivity: o.sensitivity ?? 'medium',
    tzOffsetMinutes: o.tzOffsetMinutes ?? 0,
    fleet: { ...DEFAULT_FLEET, ...o.fleet },
    minDurationMinutes: { ...DEFAULT_MIN_DURATION_MINUTES, ...o.minDurationMinutes },
    extremeFactor: o.extremeFactor ?? 2.5,
    quietMinutes: o.quietMinutes ?? 15,
  };
}

export function minDurationMs(o: ResolvedFleetDetectorOptions, metric: string): number {
  return (o.minDurationMinutes[metric] ?? FALLBACK_MIN_DURATION_MINUTES) * 60_000;
}
