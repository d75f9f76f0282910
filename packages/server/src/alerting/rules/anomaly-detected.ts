// AnomalyDetected and FleetAnomaly: one fleet detector per project (createFleetDetector in
// alerts/anomaly/) fed every settled minute of every agent's per-minute rollups, with no rule
// written. Its open incidents become alert instances: an agent incident is one AnomalyDetected
// instance naming every metric involved; a fleet incident is one FleetAnomaly instance plus, for
// each agent it explains, an AnomalyDetected instance marked `explained_by` (the notifier does not
// page those on their own). Detector state and the minute cursor are stored together, so after a
// restart the missed minutes are replayed from the rollups and nothing is learned twice, lost or
// paged again.
import {
  createFleetDetector, metricProfile, restoreFleetDetector,
  type FleetDetector, type FleetDetectorState, type FleetOptions, type FleetPoint, type IncidentChange, type Sensitivity, type SeriesState,
} from '../anomaly/index.js';
import { labelKey } from '../labels.js';
import { sketchQuantile } from '../../store/quantile-sketch.js';
import type { AgentRollup } from '../../store/rollup.js';
import { annotate, commonDefaults, round, type CommonRuleConfig, type Rule, type RuleContext } from '../rule.js';
import type { Observation } from '../state.js';
import { DEFAULT_FLEET } from '../anomaly/index.js';

const MINUTE_MS = 60_000;
/** A minute is judged once it is this old: runs arrive after they end, and late ones would otherwise be missed. */
export const SETTLE_MS = 60_000;
/** With no stored state, the detectors warm up on this much history (the detector's own window is 4h). */
export const WARMUP_HISTORY_MS = 4 * 3_600_000;
/**
 * Each series' detector state is stored once per this many minutes, a tenth of the series each
 * minute, so no cycle pays for serialising them all. The stored cursor stays this far behind, and
 * after a restart the missing minutes are replayed: a detector ignores minutes it has already seen.
 */
export const PERSIST_SLICES = 10;
/**
 * At most this many minutes are fed per cycle. A first start warms up on WARMUP_HISTORY_MS of
 * history over the following cycles (48 at 15 s) instead of stalling one cycle for seconds.
 */
export const MAX_CATCHUP_MINUTES = 5;

export const ANOMALY_METRICS = [
  'volume', 'success_rate', 'p95_latency_ms', 'tokens_per_run', 'iterations_per_run', 'tool_error_rate', 'tool_timeout_rate',
] as const;
export type AnomalyMetric = (typeof ANOMALY_METRICS)[number];

export interface AnomalyConfig extends CommonRuleConfig {
  sensitivity: Sensitivity;
  /** Metrics watched for every agent. */
  metrics: AnomalyMetric[];
  /** Agents never watched. */
  excludeAgents: string[];
  /** Per-agent metric opt-outs. */
  agentExcludeMetrics: Record<string, AnomalyMetric[]>;
  /** When many agents move together: one FleetAnomaly (see DEFAULT_FLEET in alerts/anomaly/fleet-options.ts). */
  fleet: FleetOptions;
  /** Per-metric overrides of how long a deviation must last before it pages, ms. */
  minDurationMs: Partial<Record<AnomalyMetric, number>>;
}

export const anomalyDefaults = (): AnomalyConfig => ({
  // The detector already holds an incident open through quiet spells (15 minutes), so no keep_firing_for.
  ...commonDefaults('warning'),
  sensitivity: 'medium', metrics: [...ANOMALY_METRICS], excludeAgents: [], agentExcludeMetrics: {},
  fleet: { ...DEFAULT_FLEET }, minDurationMs: {},
});

/** One agent-minute's metric values with the weight (runs or tool calls) behind each. */
export function minuteMetrics(r: AgentRollup): { metric: AnomalyMetric; value: number; weight: number }[] {
  const out: { metric: AnomalyMetric; value: number; weight: number }[] = [{ metric: 'volume', value: r.runs, weight: r.runs }];
  if (r.runs > 0) {
    out.push(
      { metric: 'success_rate', value: r.status.success / r.runs, weight: r.runs },
      { metric: 'p95_latency_ms', value: sketchQuantile(r.duration_ms, 0.95), weight: r.runs },
      { metric: 'tokens_per_run', value: r.tokens_used_sum / r.runs, weight: r.runs },
      { metric: 'iterations_per_run', value: r.iterations_sum / r.runs, weight: r.runs },
    );
  }
  if (r.tool_calls > 0) {
    out.push(
      { metric: 'tool_error_rate', value: (r.tool_errors + r.tool_timeouts) / r.tool_calls, weight: r.tool_calls },
      { metric: 'tool_timeout_rate', value: r.tool_timeouts / r.tool_calls, weight: r.tool_calls },
    );
  }
  return out;
}


export interface AnomalyStateStore {
  get(projectId: number, prefix: string): Promise<Map<string, unknown>>;
  put(projectId: number, entries: [string, unknown][]): Promise<void>;
}

interface ProjectState {
  /** Exclusive end of the minutes fed so far. */
  cursor: number;
  detector: FleetDetector;
}

const CURSOR_KEY = 'anomaly/cursor';
/** Incidents, streaks and per-series tracking: small, stored every cycle. */
const FLEET_KEY = 'anomaly/fleet';
const SERIES_PREFIX = 'anomaly/series/';
/** A stable slice of a series key, 0 … PERSIST_SLICES−1. */
function sliceOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return h % PERSIST_SLICES;
}

/** A stored series: this version's { core, long }, or an earlier version's { detector, last } (its core state). */
function storedSeries(value: unknown): SeriesState | null {
  const v = value as Partial<SeriesState> & { detector?: SeriesState['core'] };
  if (v.core) return { core: v.core, long: v.long ?? null };
  if (v.detector) return { core: v.detector, long: null };
  return null;
}

export interface AnomalyRule extends Rule {
  /** Stores every project's detector state now (on shutdown). */
  persist(): Promise<void>;
}

export function anomalyDetected(config: AnomalyConfig, deps: {
  /** Per-agent, per-minute rollups in [from, to): Store.agentRollups with step_ms 60 000. */
  minuteRollups(projectId: number, from: number, to: number): Promise<AgentRollup[]>;
  state: AnomalyStateStore;
}): AnomalyRule {
  const projects = new Map<number, ProjectState>();
  const excluded = new Set(config.excludeAgents);
  const watched = (agent: string, metric: AnomalyMetric): boolean =>
    !excluded.has(agent) && config.metrics.includes(metric) && !(config.agentExcludeMetrics[agent] ?? []).includes(metric);
  const minDurationMinutes: Record<string, number> = {};
  for (const [m, v] of Object.entries(config.minDurationMs)) if (v !== undefined) minDurationMinutes[m] = v / MINUTE_MS;
  const detectorOptions = { sensitivity: config.sensitivity, fleet: config.fleet, minDurationMinutes };

  async function load(projectId: number, settled: number): Promise<ProjectState> {
    let p = projects.get(projectId);
    if (p) return p;
    const stored = await deps.state.get(projectId, 'anomaly/');
    const cursor = stored.get(CURSOR_KEY) as number | undefined;
    const meta = stored.get(FLEET_KEY) as FleetDetectorState | undefined;
    const fresh = createFleetDetector(detectorOptions).serialize();
    // Options come from the config, not the stored state: a changed config applies after a restart.
    const state: FleetDetectorState = meta ? { ...meta, options: fresh.options, series: {} } : fresh;
    for (const [key, value] of stored) {
      if (!key.startsWith(SERIES_PREFIX)) continue;
      const s = storedSeries(value);
      if (s) state.series[key.slice(SERIES_PREFIX.length)] = s;
    }
    p = { cursor: cursor ?? settled - WARMUP_HISTORY_MS, detector: restoreFleetDetector(state) };
    projects.set(projectId, p);
    return p;
  }

  /** Stores the series of some slices (or all with null), the incidents, and a cursor every stored series has reached. */
  async function save(projectId: number, p: ProjectState, slices: ReadonlySet<number> | null): Promise<void> {
    const state = p.detector.serialize(slices === null ? undefined : (key) => slices.has(sliceOf(key)));
    const entries: [string, unknown][] = [[CURSOR_KEY, slices === null ? p.cursor : p.cursor - PERSIST_SLICES * MINUTE_MS]];
    for (const [key, s] of Object.entries(state.series)) entries.push([SERIES_PREFIX + key, s]);
    entries.push([FLEET_KEY, { ...state, series: {} } satisfies FleetDetectorState]);
    await deps.state.put(projectId, entries);
  }

  async function advance(projectId: number, now: number): Promise<ProjectState> {
    const settled = Math.floor((now - SETTLE_MS) / MINUTE_MS) * MINUTE_MS;
    const p = await load(projectId, settled);
    // After a long outage, replay at most the warm-up span: older minutes would not change the verdict.
    const from = Math.max(p.cursor, settled - WARMUP_HISTORY_MS);
    const to = Math.min(settled, from + MAX_CATCHUP_MINUTES * MINUTE_MS);
    if (to <= from) return p;
    const rows = await deps.minuteRollups(projectId, from, to);
    const byMinute = new Map<number, FleetPoint[]>();
    for (const r of rows) {
      let m = byMinute.get(r.bucket_start);
      if (!m) byMinute.set(r.bucket_start, (m = []));
      for (const x of minuteMetrics(r)) if (watched(r.agent_name, x.metric)) m.push({ agent: r.agent_name, ...x });
    }
    // A minute without runs is a real zero for volume: the detector fills it in for every agent it knows.
    for (let t = from; t < to; t += MINUTE_MS) p.detector.update(t, byMinute.get(t) ?? []);
    p.cursor = to;
    const slices = new Set<number>();
    for (let t = from; t < to; t += MINUTE_MS) slices.add(Math.floor(t / MINUTE_MS) % PERSIST_SLICES);
    await save(projectId, p, slices);
    return p;
  }

  function agentObservation(ctx: RuleContext, inc: IncidentChange): Observation {
    const agent = inc.agents[0]!;
    const metric = inc.metrics[0]!;
    const e = inc.evidence?.[metric];
    const p = metricProfile(metric);
    const others = inc.metrics.slice(1).map((m) => metricProfile(m).label);
    return {
      labels: { alertname: 'AnomalyDetected', agent, metric, direction: inc.direction, severity: config.severity },
      value: round(e?.observed ?? 0, 4),
      annotations: annotate({
        summary: `${agent}: ${inc.explanation}${others.length ? ` (also ${others.join(', ')})` : ''}`,
        description: `The anomaly detector opened an incident on ${agent}: ${inc.explanation}.` +
          (others.length ? ` It also moved ${others.join(', ')}.` : '') +
          ` No rule was written for this; it departs from the agent's own baselines (sensitivity '${config.sensitivity}').`,
        metrics: inc.metrics.join(','),
        value: e ? String(round(e.observed, 4)) : undefined,
        baseline: e ? `${p.format(e.expected)} (${e.horizon === 'days' ? 'same hours yesterday / last week' : 'recent robust baseline'})` : undefined,
        why: inc.explanation,
        score: e ? String(round(e.score, 2)) : undefined,
        runs_url: ctx.runListUrl({ agent_name: agent, from: inc.startsAt, to: ctx.data.now }),
      }),
    };
  }

  function fleetObservations(ctx: RuleContext, inc: IncidentChange): Observation[] {
    const metric = inc.metrics[0]!;
    const p = metricProfile(metric);
    const labels = { alertname: 'FleetAnomaly', metric, direction: inc.direction, severity: config.severity };
    const key = labelKey(labels);
    const out: Observation[] = [{
      labels,
      value: Number.isFinite(inc.magnitude) ? round(inc.magnitude, 4) : 0,
      annotations: annotate({
        summary: inc.explanation,
        description: `${p.label} moved ${inc.direction} on ${inc.agents.length} of ${inc.agentsTotal ?? inc.agents.length} agents of this project at once: ` +
          `one incident for the fleet (a provider, a region, a deploy or a calendar day), not one per agent.` +
          (inc.metrics.length > 1 ? ` Also moved: ${inc.metrics.slice(1).map((m) => metricProfile(m).label).join(', ')}.` : ''),
        metrics: inc.metrics.join(','),
        agents: inc.agents.join(','),
        agents_affected: String(inc.agents.length),
        agents_total: String(inc.agentsTotal ?? inc.agents.length),
        magnitude: Number.isFinite(inc.magnitude) ? String(round(inc.magnitude, 2)) : undefined,
      }),
    }];
    for (const agent of inc.agents) {
      const e = inc.agentEvidence?.[agent];
      out.push({
        labels: { alertname: 'AnomalyDetected', agent, metric, direction: inc.direction, severity: config.severity },
        value: round(e?.observed ?? 0, 4),
        annotations: annotate({
          summary: `${agent}: ${e?.explanation ?? `${p.label} anomalous`} (part of a fleet anomaly)`,
          description: `Explained by the FleetAnomaly "${inc.explanation}"; not notified on its own.`,
          metrics: metric,
          value: e ? String(round(e.observed, 4)) : undefined,
          baseline: e ? p.format(e.expected) : undefined,
          why: e?.explanation,
          score: e ? String(round(e.score, 2)) : undefined,
          explained_by: key,
          runs_url: ctx.runListUrl({ agent_name: agent, from: inc.startsAt, to: ctx.data.now }),
        }),
      });
    }
    return out;
  }

  return {
    name: 'AnomalyDetected',
    alertnames: ['AnomalyDetected', 'FleetAnomaly'],
    timing: config,
    needs: { windowMs: 0 },
    async evaluate(ctx: RuleContext) {
      const p = await advance(ctx.projectId, ctx.data.now);
      const byKey = new Map<string, Observation>();
      const open = p.detector.openIncidents();
      // Fleet first, so that an agent's own incident on the same labels wins over the explained copy.
      for (const inc of open) if (inc.scope === 'fleet') for (const o of fleetObservations(ctx, inc)) byKey.set(labelKey(o.labels), o);
      for (const inc of open) if (inc.scope === 'agent' && watched(inc.agents[0]!, inc.metrics[0] as AnomalyMetric)) {
        const o = agentObservation(ctx, inc);
        byKey.set(labelKey(o.labels), o);
      }
      return [...byKey.values()];
    },
    async persist() {
      for (const [projectId, p] of projects) await save(projectId, p, null);
    },
  };
}
