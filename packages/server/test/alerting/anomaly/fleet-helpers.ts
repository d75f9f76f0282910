// A small constructed project for the fleet detector tests: agents with office-hours traffic
// (busy 08:00–18:00 on weekdays, a lunch dip, near-empty nights and weekends), seven metrics a
// minute with sampling noise that grows as runs get fewer, and effects a test switches on by
// minute. Time is an argument: minute 0 is T0, a Monday 00:00 UTC.
import type { FleetDetector, FleetPoint, IncidentChange } from '../../../src/anomaly.js';
import { MINUTE, T0, seededNoise } from './series-helpers.js';

export const DAY = 1440;

export interface TestAgent {
  name: string;
  /** Runs per minute at the weekday peak. */
  peakRuns: number;
  latencyMs: number;
  tokens: number;
  iterations: number;
}

export interface Effects {
  /** Multipliers for this minute (1 = none); `holiday` makes a weekday look like a Sunday. */
  volume?: number;
  latency?: number;
  tokens?: number;
  iterations?: number;
  toolTimeout?: number;
  holiday?: boolean;
}

export function testAgents(n: number, peakRuns: (i: number) => number): TestAgent[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `agent-${String(i).padStart(2, '0')}`, peakRuns: peakRuns(i), latencyMs: 1500 + 300 * (i % 7), tokens: 3000 + 400 * (i % 5), iterations: 3 + (i % 3),
  }));
}

/** The share of peak traffic at a minute: office hours on weekdays, a lunch dip, quiet nights and weekends. */
export function trafficShare(minute: number, holiday = false): number {
  const day = Math.floor(minute / DAY);
  const hour = (minute % DAY) / 60;
  const weekend = day % 7 >= 5 || holiday;
  const office = hour >= 8 && hour < 18 ? (hour < 9 ? hour - 8 : hour >= 17 ? 18 - hour : 1) : 0;
  const lunch = hour >= 12 && hour < 13 ? 0.6 : 1;
  return (weekend ? 0.08 : 0.04 + 0.96 * office * lunch);
}

export function createFleetFeed(agents: readonly TestAgent[], seed: number) {
  const gauss = seededNoise(seed);
  const uniform = () => 0.5 + 0.5 * Math.tanh(gauss());
  const count = (lambda: number) => Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss()));
  const binomial = (n: number, p: number) => {
    let k = 0;
    for (let i = 0; i < n; i++) if (uniform() < p) k++;
    return k;
  };
  /** One settled minute of every agent. */
  function minute(m: number, effects: (agent: TestAgent) => Effects = () => ({})): FleetPoint[] {
    const out: FleetPoint[] = [];
    for (const a of agents) {
      const e = effects(a);
      const runs = count(a.peakRuns * trafficShare(m, e.holiday) * (e.volume ?? 1));
      out.push({ agent: a.name, metric: 'volume', value: runs, weight: runs });
      if (runs === 0) continue;
      const spread = 1 / Math.sqrt(runs);
      out.push(
        { agent: a.name, metric: 'success_rate', value: binomial(runs, 0.97) / runs, weight: runs },
        { agent: a.name, metric: 'p95_latency_ms', value: a.latencyMs * (e.latency ?? 1) * Math.exp((0.3 * spread + 0.05) * gauss()), weight: runs },
        { agent: a.name, metric: 'tokens_per_run', value: a.tokens * (e.tokens ?? 1) * Math.exp(0.25 * spread * gauss()), weight: runs },
        { agent: a.name, metric: 'iterations_per_run', value: a.iterations * (e.iterations ?? 1) * Math.exp(0.2 * spread * gauss()), weight: runs },
      );
      const calls = runs * 2;
      out.push(
        { agent: a.name, metric: 'tool_error_rate', value: binomial(calls, 0.02) / calls, weight: calls },
        { agent: a.name, metric: 'tool_timeout_rate', value: Math.min(1, binomial(calls, 0.005 * (e.toolTimeout ?? 1)) / calls), weight: calls },
      );
    }
    return out;
  }
  return { minute };
}

/** Feeds minutes [from, to) and returns every change, stamped with its minute. */
export function run(d: FleetDetector, feed: ReturnType<typeof createFleetFeed>, from: number, to: number, effects?: (agent: TestAgent, minute: number) => Effects): (IncidentChange & { minute: number })[] {
  const changes: (IncidentChange & { minute: number })[] = [];
  for (let m = from; m < to; m++) {
    for (const c of d.update(T0 + m * MINUTE, feed.minute(m, effects ? (a) => effects(a, m) : undefined))) changes.push({ ...c, minute: m });
  }
  return changes;
}

export const opens = (changes: readonly IncidentChange[]) => changes.filter((c) => c.type === 'open');
