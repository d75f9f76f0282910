// The detector for one project: every series of every agent through the per-series core
// (series-signal.ts), then incidents. One incident per agent across its metrics, paged once and
// held open through short quiet spells; and one fleet incident when the same metric moves the same
// way on many agents at once (a provider slowdown, a holiday), which swallows the agent openings it
// explains. Pure and synchronous: time comes in with each minute; no clock, no I/O. `update`
// returns only what changed that minute; each `open` is one page.
import { createSeries, feedSeries } from './series-signal.js';
import type { Series, SeriesState, SeriesTrack, SignalEvidence } from './series-signal.js';
import { minDurationMs, resolveFleetOptions } from './fleet-options.js';
import type { FleetDetectorOptions, ResolvedFleetDetectorOptions } from './fleet-options.js';
import { metricProfile } from './metrics.js';

const MINUTE_MS = 60_000;
/** An agent counts towards a metric's fleet total while it produced judged evidence this recently. */
const ACTIVE_MS = 60 * MINUTE_MS;
/** An open fleet incident takes a second metric when this share of its agents moved on it too. */
const FLEET_MERGE_OVERLAP = 0.5;

export interface FleetPoint {
  agent: string;
  metric: string;
  value: number;
  /** Runs (tool calls for tool rates) behind the value. */
  weight: number;
}

export interface IncidentChange {
  id: string;
  type: 'open' | 'update' | 'resolve';
  scope: 'agent' | 'fleet';
  /** The agent (agent scope) or the agents affected so far (fleet scope), sorted. */
  agents: string[];
  /** Every metric involved, in the order they joined. */
  metrics: string[];
  direction: 'up' | 'down';
  startsAt: number;
  /** Typical observed / expected ratio of the first metric (median over agents for a fleet). */
  magnitude: number;
  /** One sentence on the first metric ("p95 latency 4.1 s, 2.3x its usual 1.8 s for 14:00"). */
  explanation: string;
  /** Fleet scope: agents reporting the first metric in the project. */
  agentsTotal?: number;
  /** Agent scope: the latest evidence per metric. */
  evidence?: Record<string, SignalEvidence>;
  /** Fleet scope: each listed agent's latest evidence on the first metric. */
  agentEvidence?: Record<string, SignalEvidence>;
}

interface IncidentState {
  id: string;
  scope: 'agent' | 'fleet';
  agents: string[];
  metrics: string[];
  direction: 'up' | 'down';
  startsAt: number;
  lastHotT: number;
  magnitude: number;
  explanation: string;
  agentsTotal: number;
  evidence: Record<string, SignalEvidence>;
}

export interface FleetDetectorState {
  version: 1;
  options: ResolvedFleetDetectorOptions;
  /** The last minute judged; earlier or equal minutes only teach series that have not seen them. */
  lastT: number | null;
  /** Keyed `${metric}/${agent}`. May hold a subset (the alert rule stores them in slices). */
  series: Record<string, SeriesState>;
  tracks: Record<string, SeriesTrack>;
  /** Per `${metric}|${direction}`: consecutive minutes the fleet condition held, and when it last did. */
  fleetStreak: Record<string, { minutes: number; lastT: number }>;
  incidents: IncidentState[];
}

export interface FleetDetector {
  update(t: number, points: readonly FleetPoint[]): IncidentChange[];
  /** Incidents open now (for an alert rule that reports what holds at each evaluation). */
  openIncidents(): IncidentChange[];
  /** Full state; with `seriesFilter`, only the heavy per-series state of matching keys. */
  serialize(seriesFilter?: (key: string) => boolean): FleetDetectorState;
  readonly lastT: number | null;
}

const seriesKey = (agent: string, metric: string) => `${metric}/${agent}`;
const agentOf = (key: string) => key.slice(key.indexOf('/') + 1);
const metricOf = (key: string) => key.slice(0, key.indexOf('/'));

function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function fmtTime(t: number, tzOffsetMinutes: number): string {
  const d = new Date(t + tzOffsetMinutes * MINUTE_MS);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

export function createFleetDetector(options: FleetDetectorOptions = {}): FleetDetector {
  return restoreFleetDetector({ version: 1, options: resolveFleetOptions(options), lastT: null, series: {}, tracks: {}, fleetStreak: {}, incidents: [] });
}

/** Rebuilds a detector from `serialize()` output; series missing from it start afresh. */
export function restoreFleetDetector(saved: FleetDetectorState): FleetDetector {
  const o = saved.options;
  let lastT = saved.lastT;
  const series = new Map<string, Series>();
  for (const [key, s] of Object.entries(saved.series)) series.set(key, createSeries(metricOf(key), o.sensitivity, o.tzOffsetMinutes, s, saved.tracks[key]));
  const orphanTracks = new Map(Object.entries(saved.tracks).filter(([k]) => !series.has(k)));
  const fleetStreak = new Map(Object.entries(structuredClone(saved.fleetStreak)));
  const incidents: IncidentState[] = structuredClone(saved.incidents);
  const agents = new Set<string>([...series.keys()].map(agentOf));

  function getSeries(agent: string, metric: string): Series {
    const key = seriesKey(agent, metric);
    let s = series.get(key);
    if (!s) {
      s = createSeries(metric, o.sensitivity, o.tzOffsetMinutes, undefined, orphanTracks.get(key));
      orphanTracks.delete(key);
      series.set(key, s);
      agents.add(agent);
    }
    return s;
  }

  function view(i: IncidentState, type: IncidentChange['type']): IncidentChange {
    const out: IncidentChange = {
      id: i.id, type, scope: i.scope, agents: [...i.agents], metrics: [...i.metrics], direction: i.direction,
      startsAt: i.startsAt, magnitude: i.magnitude, explanation: i.explanation,
    };
    if (i.scope === 'fleet') {
      out.agentsTotal = i.agentsTotal;
      out.agentEvidence = {};
      for (const a of i.agents) {
        const e = series.get(seriesKey(a, i.metrics[0]!))?.track.evidence;
        if (e) out.agentEvidence[a] = structuredClone(e);
      }
    } else out.evidence = structuredClone(i.evidence);
    return out;
  }

  function fleetExplanation(metric: string, magnitude: number, affected: number, total: number, since: number): string {
    const p = metricProfile(metric);
    const how = !Number.isFinite(magnitude) ? 'anomalous' : magnitude >= 1 ? `${magnitude.toFixed(1)}x normal` : `${Math.round((1 - magnitude) * 100)}% below normal`;
    return `${p.label} ${how} on ${affected} of ${total} agents since ${fmtTime(since, o.tzOffsetMinutes)}`;
  }

  function update(t: number, points: readonly FleetPoint[]): IncidentChange[] {
    const judge = lastT === null || t > lastT;
    // Every agent seen before that has no volume point this minute ran zero times: silence is
    // data for volume (and nothing for the other metrics).
    const hasVolume = new Set<string>();
    for (const p of points) if (p.metric === 'volume') hasVolume.add(p.agent);
    const all: FleetPoint[] = [...points];
    for (const a of agents) if (!hasVolume.has(a) && series.has(seriesKey(a, 'volume'))) all.push({ agent: a, metric: 'volume', value: 0, weight: 0 });

    const confirmed: { agent: string; metric: string; direction: 'up' | 'down' }[] = [];
    for (const p of all) {
      const s = getSeries(p.agent, p.metric);
      const sig = feedSeries(s, t, p.value, p.weight, {
        sensitivity: o.sensitivity, tzOffsetMinutes: o.tzOffsetMinutes, minDurationMs: minDurationMs(o, p.metric), extremeFactor: o.extremeFactor, judge,
      });
      if (sig.confirmed) confirmed.push({ agent: p.agent, metric: p.metric, direction: sig.direction });
    }
    if (!judge) return [];
    lastT = t;
    const changes: IncidentChange[] = [];

    // Fleet condition per metric and direction: how many agents are hot now, of how many active.
    const hotBy = new Map<string, string[]>();
    const activeBy = new Map<string, number>();
    for (const [key, s] of series) {
      const tr = s.track;
      const metric = s.metric;
      if (tr.lastJudgedT !== null && t - tr.lastJudgedT <= ACTIVE_MS) activeBy.set(metric, (activeBy.get(metric) ?? 0) + 1);
      if (!tr.hot) continue;
      const k = `${metric}|${tr.direction}`;
      let list = hotBy.get(k);
      if (!list) hotBy.set(k, (list = []));
      list.push(agentOf(key));
    }
    const need = (metric: string) => Math.max(o.fleet.minAgents, Math.ceil(o.fleet.minShare * (activeBy.get(metric) ?? 0)));
    const fleetOpen = (metric: string, direction: string) =>
      incidents.find((i) => i.scope === 'fleet' && i.direction === direction && i.metrics.includes(metric));

    for (const k of new Set([...hotBy.keys(), ...fleetStreak.keys()])) {
      const [metric, direction] = k.split('|') as [string, 'up' | 'down'];
      const hot = hotBy.get(k) ?? [];
      const holds = hot.length >= need(metric);
      const streak = fleetStreak.get(k) ?? { minutes: 0, lastT: -Infinity };
      if (holds) fleetStreak.set(k, { minutes: streak.minutes + 1, lastT: t });
      else if (t - streak.lastT > o.fleet.windowMinutes * MINUTE_MS) fleetStreak.delete(k);
      else fleetStreak.set(k, { minutes: 0, lastT: streak.lastT });
      const open = fleetOpen(metric, direction);
      if (open) {
        // Still going while at least half the opening bar is hot; it lists every agent it touched.
        if (hot.length >= Math.max(2, Math.ceil(need(metric) / 2))) open.lastHotT = t;
        const added = hot.filter((a) => !open.agents.includes(a));
        if (added.length > 0 && open.metrics[0] === metric) {
          open.agents = [...open.agents, ...added].sort();
          open.magnitude = median(open.agents.map((a) => series.get(seriesKey(a, metric))?.track.evidence?.ratio ?? NaN));
          open.agentsTotal = Math.max(open.agentsTotal, activeBy.get(metric) ?? 0);
          open.explanation = fleetExplanation(metric, open.magnitude, open.agents.length, open.agentsTotal, open.startsAt);
          changes.push(view(open, 'update'));
        }
        continue;
      }
      if (!holds || streak.minutes + 1 < o.fleet.minDurationMinutes) continue;
      // One event moving two metrics of the same agents (slow provider: latency and timeouts) is one incident.
      const merge = incidents.find((i) => i.scope === 'fleet' && i.direction === direction &&
        hot.filter((a) => i.agents.includes(a)).length >= FLEET_MERGE_OVERLAP * Math.min(hot.length, i.agents.length));
      if (merge) {
        merge.metrics.push(metric);
        merge.lastHotT = t;
        changes.push(view(merge, 'update'));
        continue;
      }
      const startsAt = Math.min(...hot.map((a) => series.get(seriesKey(a, metric))!.track.hotSinceT));
      const magnitude = median(hot.map((a) => series.get(seriesKey(a, metric))?.track.evidence?.ratio ?? NaN));
      const total = activeBy.get(metric) ?? hot.length;
      const inc: IncidentState = {
        id: `fleet:${metric}:${direction}:${startsAt}`, scope: 'fleet', agents: [...hot].sort(), metrics: [metric], direction,
        startsAt, lastHotT: t, magnitude, agentsTotal: total, evidence: {},
        explanation: fleetExplanation(metric, magnitude, hot.length, total, startsAt),
      };
      incidents.push(inc);
      changes.push(view(inc, 'open'));
    }

    // Agent incidents, from confirmed series no fleet condition explains.
    const explained = (agent: string, metric: string, direction: string): boolean => {
      if (fleetOpen(metric, direction)?.agents.includes(agent)) return true;
      const streak = fleetStreak.get(`${metric}|${direction}`);
      return streak !== undefined && t - streak.lastT <= o.fleet.windowMinutes * MINUTE_MS;
    };
    for (const c of confirmed) {
      if (explained(c.agent, c.metric, c.direction)) continue;
      const tr = series.get(seriesKey(c.agent, c.metric))!.track;
      let inc = incidents.find((i) => i.scope === 'agent' && i.agents[0] === c.agent);
      if (!inc) {
        inc = {
          id: `agent:${c.agent}:${tr.hotSinceT}`, scope: 'agent', agents: [c.agent], metrics: [c.metric], direction: c.direction,
          startsAt: tr.hotSinceT, lastHotT: t, magnitude: tr.evidence?.ratio ?? NaN, explanation: tr.evidence?.explanation ?? '',
          agentsTotal: 1, evidence: tr.evidence ? { [c.metric]: tr.evidence } : {},
        };
        incidents.push(inc);
        changes.push(view(inc, 'open'));
        continue;
      }
      if (tr.evidence) inc.evidence[c.metric] = tr.evidence;
      if (!inc.metrics.includes(c.metric)) {
        inc.metrics.push(c.metric);
        changes.push(view(inc, 'update'));
      }
    }
    // An open agent incident is kept alive by any hot series of its agent that no fleet explains.
    for (const [key, s] of series) {
      if (!s.track.hot || explained(agentOf(key), s.metric, s.track.direction)) continue;
      const inc = incidents.find((i) => i.scope === 'agent' && i.agents[0] === agentOf(key));
      if (!inc) continue;
      inc.lastHotT = t;
      if (inc.metrics[0] === s.metric && s.track.evidence) {
        inc.magnitude = s.track.evidence.ratio;
        inc.explanation = s.track.evidence.explanation;
        inc.evidence[s.metric] = s.track.evidence;
      }
    }
    for (let i = incidents.length - 1; i >= 0; i--) {
      const inc = incidents[i]!;
      if (t - inc.lastHotT < o.quietMinutes * MINUTE_MS) continue;
      incidents.splice(i, 1);
      changes.push(view(inc, 'resolve'));
    }
    return changes;
  }

  return {
    update,
    openIncidents: () => incidents.map((i) => view(i, 'update')),
    get lastT() {
      return lastT;
    },
    serialize(seriesFilter) {
      const out: Record<string, SeriesState> = {};
      const tracks: Record<string, SeriesTrack> = Object.fromEntries(orphanTracks);
      for (const [key, s] of series) {
        tracks[key] = structuredClone(s.track);
        if (!seriesFilter || seriesFilter(key)) out[key] = s.serialize();
      }
      return { version: 1, options: structuredClone(o), lastT, series: out, tracks, fleetStreak: Object.fromEntries(structuredClone(fleetStreak)), incidents: structuredClone(incidents) };
    },
  };
}
