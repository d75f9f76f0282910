// A realistic project for the fleet detector: 82 agents from under 1 to 60 runs a minute at peak,
// office-hours traffic (a ramp from 08:00, a lunch dip, near-empty nights and weekends), a public
// holiday in the evaluated week, log-normal run latency (a minute's p95 drawn from its runs),
// fleet-wide one-minute slow-provider blips, hourly batch bursts on some agents, benign deploys,
// and labelled incidents. Seeded and pure: the same seed draws the same fleet and minutes.
import type { FleetPoint } from '../../packages/server/src/alerting/anomaly/index.js';
import { gaussian, seededRandom } from '../lib/seeded-random.js';

export const MINUTE_MS = 60_000;
export const DAY_MINUTES = 1440;
/** A Monday 00:00 UTC. */
export const START_MS = Date.UTC(2026, 0, 5);

export type IncidentKind = 'slow_creep' | 'fleet_slowdown' | 'error_burst' | 'loop' | 'timeout_cascade' | 'traffic_collapse';
export const AGENT_INCIDENT_KINDS: readonly IncidentKind[] = ['slow_creep', 'error_burst', 'loop', 'timeout_cascade', 'traffic_collapse'];
/** Step changes, for which the median detection delay is reported. */
export const STEP_KINDS: readonly IncidentKind[] = ['fleet_slowdown', 'loop', 'timeout_cascade', 'traffic_collapse'];
/** Metrics whose incident an agent-scope page must name to count as caught. */
export const RELEVANT_METRICS: Readonly<Record<IncidentKind, readonly string[]>> = {
  slow_creep: ['tokens_per_run', 'p95_latency_ms'],
  fleet_slowdown: ['p95_latency_ms'],
  error_burst: ['success_rate', 'tool_error_rate'],
  loop: ['iterations_per_run', 'tokens_per_run', 'p95_latency_ms'],
  timeout_cascade: ['tool_timeout_rate', 'tool_error_rate', 'p95_latency_ms', 'success_rate'],
  traffic_collapse: ['volume'],
};

export interface Incident {
  kind: IncidentKind;
  /** The agents it touches (one for agent incidents). */
  agents: string[];
  startMinute: number;
  endMinute: number;
  /** slow_creep: which quantity creeps. */
  creep?: 'tokens' | 'latency';
}

export interface FleetAgent {
  name: string;
  peakRuns: number;
  /** Share of peak traffic at night and on weekends. */
  offHours: number;
  /** Runs a batch at :00–:04 of every hour from 06:00 to 22:00. */
  batch: boolean;
  /** Uses the provider that has one-minute slow blips. */
  blipProvider: boolean;
  latencyMs: number;
  latencySigma: number;
  tokens: number;
  iterations: number;
  successRate: number;
  toolCallsPerRun: number;
  toolErrorRate: number;
  toolTimeoutRate: number;
  /** A benign deploy: from this minute on, latency and tokens change by these factors. */
  deployMinute: number;
  deployLatency: number;
  deployTokens: number;
}

export interface Fleet {
  agents: FleetAgent[];
  incidents: Incident[];
  holidayDay: number;
  blipMinutes: Set<number>;
  learnDays: number;
  evalDays: number;
}

export interface FleetSpec {
  seed: number;
  agents: number;
  learnDays: number;
  evalDays: number;
  /** Agent incidents in the evaluated period (kinds in turn), plus this many fleet slowdowns. */
  agentIncidents: number;
  fleetSlowdowns: number;
}

/** Office hours 08:00–18:00 with an hour's ramp up and down and a lunch dip; `offHours` otherwise. */
export function trafficShare(a: FleetAgent, minute: number, holidayDay: number): number {
  const day = Math.floor(minute / DAY_MINUTES);
  const hour = (minute % DAY_MINUTES) / 60;
  if (day % 7 >= 5 || day === holidayDay) return a.offHours;
  let office = 0;
  if (hour >= 8 && hour < 18) office = hour < 9 ? hour - 8 : hour >= 17 ? 18 - hour : 1;
  if (hour >= 12 && hour < 13) office *= 0.6;
  return a.offHours + (1 - a.offHours) * office;
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
  if (n > 40) return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * gaussian(rng))));
  let k = 0;
  for (let i = 0; i < n; i++) if (rng() < p) k++;
  return k;
}

/** The p95 of n log-normal run durations: drawn run by run for small n, from its sampling law above. */
function p95(rng: () => number, n: number, medianMs: number, sigma: number): number {
  if (n <= 20) {
    const xs = Array.from({ length: n }, () => gaussian(rng)).sort((a, b) => a - b);
    return medianMs * Math.exp(sigma * xs[Math.min(n - 1, Math.floor(0.95 * (n - 1)))]!);
  }
  // Sample quantile: sd ≈ sqrt(q(1−q)/n) / φ(z_q) in units of sigma (2.11/√n at q = 0.95).
  return medianMs * Math.exp(sigma * (1.645 + (2.11 / Math.sqrt(n)) * gaussian(rng)));
}

export function createFleet(spec: FleetSpec): Fleet {
  const rng = seededRandom(spec.seed * 7919 + 17);
  const total = (spec.learnDays + spec.evalDays) * DAY_MINUTES;
  const agents: FleetAgent[] = Array.from({ length: spec.agents }, (_, i) => ({
    name: `agent-${String(i).padStart(3, '0')}`,
    // Log-uniform from 0.3 to 60 runs a minute at peak.
    peakRuns: Math.exp(Math.log(0.3) + rng() * Math.log(60 / 0.3)),
    offHours: rng() < 0.2 ? 0.3 + 0.3 * rng() : 0.02 + 0.06 * rng(),
    batch: rng() < 0.15,
    blipProvider: rng() < 0.7,
    latencyMs: 600 + 5000 * rng(),
    latencySigma: 0.4 + 0.4 * rng(),
    tokens: 1500 + 8000 * rng(),
    iterations: 2 + 6 * rng(),
    successRate: 0.95 + 0.045 * rng(),
    toolCallsPerRun: 1 + 3 * rng(),
    toolErrorRate: 0.005 + 0.025 * rng(),
    toolTimeoutRate: 0.001 + 0.006 * rng(),
    deployMinute: Math.floor(rng() * total),
    deployLatency: 0.75 + 0.35 * rng(),
    deployTokens: 0.8 + 0.3 * rng(),
  }));
  // The evaluated week's Wednesday is a public holiday (weekend traffic on a weekday).
  const holidayDay = spec.learnDays + 2;
  const blipMinutes = new Set<number>();
  for (let d = 0; d < spec.learnDays + spec.evalDays; d++) for (let k = 0; k < 3; k++) blipMinutes.add(d * DAY_MINUTES + 7 * 60 + Math.floor(rng() * 12 * 60));

  // Incidents start in office hours on working days of the evaluated period, not on the holiday.
  const workStarts = (lo: number, hi: number) => {
    for (;;) {
      const day = spec.learnDays + Math.floor(rng() * spec.evalDays);
      if (day % 7 >= 5 || day === holidayDay) continue;
      return day * DAY_MINUTES + Math.floor((lo + rng() * (hi - lo)) * 60);
    }
  };
  const incidents: Incident[] = [];
  const pool = [...agents].sort(() => rng() - 0.5);
  for (let i = 0; i < spec.agentIncidents; i++) {
    const kind = AGENT_INCIDENT_KINDS[i % AGENT_INCIDENT_KINDS.length]!;
    // Error bursts hit small agents (1–3 runs a minute); collapses need traffic to collapse.
    const fits = (a: FleetAgent) => kind === 'error_burst' ? a.peakRuns >= 1 && a.peakRuns <= 3 : kind === 'traffic_collapse' ? a.peakRuns >= 3 : a.peakRuns >= 1;
    const at = pool.findIndex(fits);
    const agent = at >= 0 ? pool.splice(at, 1)[0]! : pool.shift()!;
    if (kind === 'error_burst' && !fits(agent)) agent.peakRuns = 1 + 2 * rng();
    const dur = kind === 'slow_creep' ? 360 + Math.floor(rng() * 240) : kind === 'error_burst' ? 10 + Math.floor(rng() * 20) : kind === 'loop' ? 20 + Math.floor(rng() * 40) : kind === 'timeout_cascade' ? 15 + Math.floor(rng() * 30) : 30 + Math.floor(rng() * 60);
    const startMinute = kind === 'slow_creep' ? workStarts(8, 9.5) : workStarts(9, 16.5);
    incidents.push({ kind, agents: [agent.name], startMinute, endMinute: Math.min(startMinute + dur, total), ...(kind === 'slow_creep' ? { creep: i % 2 === 0 ? 'tokens' : 'latency' } : {}) });
  }
  for (let i = 0; i < spec.fleetSlowdowns; i++) {
    const share = 0.3 + 0.3 * rng();
    const hit = agents.filter(() => rng() < share).map((a) => a.name);
    const startMinute = workStarts(9, 16);
    incidents.push({ kind: 'fleet_slowdown', agents: hit, startMinute, endMinute: startMinute + 20 + Math.floor(rng() * 40) });
  }
  return { agents, incidents, holidayDay, blipMinutes, learnDays: spec.learnDays, evalDays: spec.evalDays };
}

interface Effects { volume: number; latency: number; tokens: number; iterations: number; failure: number; toolError: number; toolTimeout: number }

function effectsAt(fleet: Fleet, a: FleetAgent, minute: number, byAgent: Map<string, Incident[]>): Effects {
  const e: Effects = { volume: 1, latency: 1, tokens: 1, iterations: 1, failure: 0, toolError: 0, toolTimeout: 0 };
  if (minute >= a.deployMinute) {
    e.latency *= a.deployLatency;
    e.tokens *= a.deployTokens;
  }
  const inHour = minute % 60;
  const hour = (minute % DAY_MINUTES) / 60;
  if (a.batch && inHour < 5 && hour >= 6 && hour < 22) {
    e.volume *= 4;
    e.latency *= 1.3;
  }
  if (a.blipProvider && fleet.blipMinutes.has(minute)) {
    e.latency *= 2.5;
    e.toolTimeout += 0.05;
  }
  for (const inc of byAgent.get(a.name) ?? []) {
    if (minute < inc.startMinute || minute >= inc.endMinute) continue;
    const progress = (minute - inc.startMinute) / Math.max(1, inc.endMinute - inc.startMinute);
    switch (inc.kind) {
      case 'slow_creep': if (inc.creep === 'tokens') e.tokens *= 1 + 0.4 * progress; else e.latency *= 1 + 0.6 * progress; break;
      case 'fleet_slowdown': e.latency *= 2; break;
      case 'error_burst': e.failure += 0.35; break;
      case 'loop': e.iterations *= 3; e.tokens *= 2.8; e.latency *= 2.2; break;
      case 'timeout_cascade': e.toolTimeout += 0.25; e.latency *= 1.5; e.failure += 0.1; break;
      case 'traffic_collapse': e.volume *= 0.05; break;
    }
  }
  return e;
}

/** A generator of the fleet's minutes, in order: `minute(m)` gives every agent's rollup metrics. */
export function createMinuteSource(fleet: Fleet, seed: number) {
  const rng = seededRandom(seed * 104_729 + 3);
  const byAgent = new Map<string, Incident[]>();
  for (const inc of fleet.incidents) for (const a of inc.agents) byAgent.set(a, [...(byAgent.get(a) ?? []), inc]);
  return function minute(m: number): FleetPoint[] {
    const out: FleetPoint[] = [];
    for (const a of fleet.agents) {
      const e = effectsAt(fleet, a, m, byAgent);
      const n = poisson(rng, a.peakRuns * trafficShare(a, m, fleet.holidayDay) * e.volume);
      out.push({ agent: a.name, metric: 'volume', value: n, weight: n });
      if (n === 0) continue;
      const ok = binomial(rng, n, Math.max(0, a.successRate - e.failure));
      out.push({ agent: a.name, metric: 'success_rate', value: ok / n, weight: n });
      out.push({ agent: a.name, metric: 'p95_latency_ms', value: p95(rng, n, a.latencyMs * e.latency, a.latencySigma), weight: n });
      // Per-run tokens and iterations are log-normal (sigma 0.5 / 0.3): a minute's mean wobbles by that over √n.
      out.push({ agent: a.name, metric: 'tokens_per_run', value: a.tokens * e.tokens * Math.exp((0.5 / Math.sqrt(n)) * gaussian(rng)), weight: n });
      out.push({ agent: a.name, metric: 'iterations_per_run', value: Math.max(1, a.iterations * e.iterations * Math.exp((0.3 / Math.sqrt(n)) * gaussian(rng))), weight: n });
      const calls = Math.max(1, Math.round(n * a.toolCallsPerRun));
      const timeouts = binomial(rng, calls, Math.min(1, a.toolTimeoutRate + e.toolTimeout));
      const errors = binomial(rng, calls - timeouts, Math.min(1, a.toolErrorRate + e.toolError));
      out.push({ agent: a.name, metric: 'tool_error_rate', value: (errors + timeouts) / calls, weight: calls });
      out.push({ agent: a.name, metric: 'tool_timeout_rate', value: timeouts / calls, weight: calls });
    }
    return out;
  };
}
