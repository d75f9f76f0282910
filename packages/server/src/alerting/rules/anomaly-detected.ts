// AnomalyDetected: the streaming detector (alerts/anomaly/) run on every agent's per-minute rollup
// metrics, with no rule written. Each cycle feeds the minutes completed since the last one; an
// instance (agent, metric, direction) holds while that series' latest judged minute is anomalous.
// Detector state and the minute cursor are stored together, so after a restart the missed minutes
// are replayed from the rollups and nothing is learned twice or lost.
import { createDetector, metricProfile, restoreDetector, type AnomalyDetector, type AnomalyVerdict, type DetectorState, type Sensitivity } from '../anomaly/index.js';
import { sketchQuantile } from '../../store/quantile-sketch.js';
import type { AgentRollup } from '../../store/rollup.js';
import { annotate, commonDefaults, round, type CommonRuleConfig, type Rule, type RuleContext } from '../rule.js';
import type { Observation } from '../state.js';

const MINUTE_MS = 60_000;
/** A minute is judged once it is this old: runs arrive after they end, and late ones would otherwise be missed. */
export const SETTLE_MS = 60_000;
/** With no stored state, the detectors warm up on this much history (the detector's own window is 4h). */
export const WARMUP_HISTORY_MS = 4 * 3_600_000;
/** A verdict older than this no longer holds an alert: the agent stopped producing that metric. */
export const STALE_VERDICT_MS = 15 * 60_000;
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
}

export const anomalyDefaults = (): AnomalyConfig => ({
  // keep_firing_for: one quiet minute inside an incident must not resolve and re-fire it.
  ...commonDefaults('warning'), keepFiringForMs: 5 * 60_000,
  sensitivity: 'medium', metrics: [...ANOMALY_METRICS], excludeAgents: [], agentExcludeMetrics: {},
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

/** The one-line why: "p95 latency 2.3 s is 2.3× its usual 1.0 s for this hour of the week". */
export function explainVerdict(v: AnomalyVerdict): string {
  const p = metricProfile(v.metric);
  const when = v.seasonality === 'hour_of_week' ? ' for this hour of the week' : v.seasonality === 'hour_of_day' ? ' for this hour of the day' : '';
  const over = v.points > 1 ? ` (mean of the last ${v.points} minutes)` : '';
  const rel = Number.isFinite(v.ratio) && v.ratio > 0 && p.noise !== 'rate'
    ? `${v.ratio.toFixed(1)}× its usual ${p.format(v.expected)}`
    : `${v.direction === 'up' ? 'up' : 'down'} from its usual ${p.format(v.expected)}`;
  return `${p.label} ${p.format(v.observed)}${over} is ${rel}${when}`;
}

export interface AnomalyStateStore {
  get(projectId: number, prefix: string): Promise<Map<string, unknown>>;
  put(projectId: number, entries: [string, unknown][]): Promise<void>;
}

interface Series {
  detector: AnomalyDetector;
  last: AnomalyVerdict | null;
}

interface ProjectState {
  /** Exclusive end of the minutes fed so far. */
  cursor: number;
  series: Map<string, Series>;
}

interface StoredSeries {
  detector: DetectorState;
  last: AnomalyVerdict | null;
}

const CURSOR_KEY = 'anomaly/cursor';
/** A stable slice of a series key, 0 … PERSIST_SLICES−1. */
function sliceOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return h % PERSIST_SLICES;
}
const seriesKey = (agent: string, metric: string) => `anomaly/series/${metric}/${agent}`;

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

  async function load(projectId: number, settled: number): Promise<ProjectState> {
    let p = projects.get(projectId);
    if (p) return p;
    const stored = await deps.state.get(projectId, 'anomaly/');
    const cursor = stored.get(CURSOR_KEY) as number | undefined;
    p = { cursor: cursor ?? settled - WARMUP_HISTORY_MS, series: new Map() };
    for (const [key, value] of stored) {
      if (!key.startsWith('anomaly/series/')) continue;
      const v = value as StoredSeries;
      p.series.set(key, { detector: restoreDetector(v.detector), last: v.last });
    }
    projects.set(projectId, p);
    return p;
  }

  /** Stores the series of some slices (or all with null), and a cursor every stored series has reached. */
  async function save(projectId: number, p: ProjectState, slices: ReadonlySet<number> | null): Promise<void> {
    const entries: [string, unknown][] = [[CURSOR_KEY, slices === null ? p.cursor : p.cursor - PERSIST_SLICES * MINUTE_MS]];
    for (const [key, s] of p.series) {
      if (slices !== null && !slices.has(sliceOf(key))) continue;
      entries.push([key, { detector: s.detector.serialize(), last: s.last } satisfies StoredSeries]);
    }
    await deps.state.put(projectId, entries);
  }

  function feed(p: ProjectState, agent: string, metric: AnomalyMetric, t: number, value: number, weight: number): void {
    if (!watched(agent, metric)) return;
    const key = seriesKey(agent, metric);
    let s = p.series.get(key);
    if (!s) p.series.set(key, (s = { detector: createDetector({ metric, sensitivity: config.sensitivity }), last: null }));
    const v = s.detector.update({ t, value, weight });
    if (v.evidence === 'ok') s.last = v;
  }

  async function advance(projectId: number, now: number): Promise<ProjectState> {
    const settled = Math.floor((now - SETTLE_MS) / MINUTE_MS) * MINUTE_MS;
    const p = await load(projectId, settled);
    // After a long outage, replay at most the warm-up span: older minutes would not change the verdict.
    const from = Math.max(p.cursor, settled - WARMUP_HISTORY_MS);
    const to = Math.min(settled, from + MAX_CATCHUP_MINUTES * MINUTE_MS);
    if (to <= from) return p;
    const rows = await deps.minuteRollups(projectId, from, to);
    const byMinute = new Map<number, Map<string, AgentRollup>>();
    for (const r of rows) {
      let m = byMinute.get(r.bucket_start);
      if (!m) byMinute.set(r.bucket_start, (m = new Map()));
      m.set(r.agent_name, r);
    }
    const agents = new Set<string>(rows.map((r) => r.agent_name));
    for (const key of p.series.keys()) agents.add(key.slice(key.indexOf('/', 'anomaly/series/'.length) + 1));
    for (let t = from; t < to; t += MINUTE_MS) {
      const minute = byMinute.get(t);
      for (const agent of agents) {
        const r = minute?.get(agent);
        // A minute without runs is a real zero for volume, and no data for everything else.
        if (!r) {
          feed(p, agent, 'volume', t, 0, 0);
          continue;
        }
        for (const m of minuteMetrics(r)) feed(p, agent, m.metric, t, m.value, m.weight);
      }
    }
    p.cursor = to;
    const slices = new Set<number>();
    for (let t = from; t < to; t += MINUTE_MS) slices.add(Math.floor(t / MINUTE_MS) % PERSIST_SLICES);
    await save(projectId, p, slices);
    return p;
  }

  return {
    name: 'AnomalyDetected',
    timing: config,
    needs: { windowMs: 0 },
    async evaluate(ctx: RuleContext) {
      const now = ctx.data.now;
      const p = await advance(ctx.projectId, now);
      const out: Observation[] = [];
      for (const [key, s] of p.series) {
        const v = s.last;
        if (!v || !v.anomalous || now - v.t > STALE_VERDICT_MS) continue;
        const agent = key.slice(key.indexOf('/', 'anomaly/series/'.length) + 1);
        if (!watched(agent, v.metric as AnomalyMetric)) continue;
        const profile = metricProfile(v.metric);
        const why = explainVerdict(v);
        const from = v.t - (v.points - 1) * MINUTE_MS;
        out.push({
          labels: { alertname: 'AnomalyDetected', agent, metric: v.metric, direction: v.direction, severity: config.severity },
          value: round(v.observed, 4),
          annotations: annotate({
            summary: `${agent}: ${why}`,
            description: `The anomaly detector flagged ${profile.label} of ${agent} (${v.direction}): observed ${profile.format(v.observed)}, ` +
              `expected ${profile.format(v.expected)}, ${round(v.score, 1)} noise units away (threshold for '${config.sensitivity}' sensitivity). ` +
              `No rule was written for this; it departs from the agent's own robust baseline.`,
            value: String(round(v.observed, 4)),
            baseline: `${profile.format(v.expected)} (${v.seasonality === 'none' ? 'recent median' : v.seasonality.replace(/_/g, ' ')})`,
            why,
            score: String(round(v.score, 2)),
            runs_url: ctx.runListUrl({ agent_name: agent, from, to: v.t + MINUTE_MS }),
          }),
        });
      }
      return out;
    },
    async persist() {
      for (const [projectId, p] of projects) await save(projectId, p, null);
    },
  };
}
