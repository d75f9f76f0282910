// Runs the detector core over generated agent fleets and scores it: event recall on incidents,
// false alerts per agent-week on clean agents, detection delay, and the cost of one minute tick.
import { createDetector } from '../../packages/server/src/alerting/anomaly/index.js';
import type { AnomalyDetector, MetricName, Sensitivity } from '../../packages/server/src/alerting/anomaly/index.js';
import { DAY_MINUTES, INCIDENT_KINDS, INCIDENT_METRICS, LEVEL_SHIFT_KINDS, MINUTE_MS, START_MS, agentMinute, randomAgent, randomIncident } from './generate.js';
import { seededRandom } from '../lib/seeded-random.js';
import type { AgentProfile, Incident, IncidentKind } from './generate.js';

/** Anomalous minutes closer together than this are one alert (as a `for`/resolve cycle would). */
export const ALERT_GAP_MINUTES = 30;
/** A detection this long after an incident ends still counts for it (rollups arrive late). */
export const GRACE_MINUTES = 15;
/** Below this many runs per minute, a silence of the incident's length is within normal gaps. */
export const VOLUME_DROP_MIN_RATE = 2;

export interface SuiteOptions {
  seed: number;
  incidentAgents: number;
  cleanAgents: number;
  /** Days of history before the evaluated period (learning only). */
  learnDays: number;
  evalDays: number;
  sensitivity: Sensitivity;
}

export interface IncidentResult {
  agent: string;
  kind: IncidentKind;
  runsPerMinute: number;
  detected: boolean;
  delayMinutes: number | null;
}

export interface SuiteResult {
  incidents: IncidentResult[];
  recall: number;
  recallByKind: Record<string, number>;
  falseAlerts: number;
  agentWeeks: number;
  falseAlertsPerAgentWeek: number;
  falseAlertsByMetric: Record<string, number>;
  /** False alerts on incident agents outside their incident (reported, not in the goal). */
  falseAlertsAroundIncidents: number;
  medianLevelShiftDelayMinutes: number | null;
  medianDelayMinutes: number | null;
  updates: number;
}

interface AlertEpisode {
  metric: MetricName;
  startMinute: number;
}

/** Feeds one agent through per-metric detectors and returns its alert episodes in the eval period. */
function runAgent(opts: SuiteOptions, agent: AgentProfile, incidents: readonly Incident[], rng: () => number): { episodes: AlertEpisode[]; updates: number } {
  const detectors = new Map<MetricName, AnomalyDetector>();
  const lastAnomalous = new Map<MetricName, number>();
  const episodes: AlertEpisode[] = [];
  const evalFrom = opts.learnDays * DAY_MINUTES;
  const total = (opts.learnDays + opts.evalDays) * DAY_MINUTES;
  let updates = 0;
  for (let minute = 0; minute < total; minute++) {
    for (const p of agentMinute(rng, agent, minute, incidents)) {
      let d = detectors.get(p.metric);
      if (!d) detectors.set(p.metric, (d = createDetector({ metric: p.metric, sensitivity: opts.sensitivity })));
      const v = d.update({ t: START_MS + minute * MINUTE_MS, value: p.value, weight: p.weight });
      updates++;
      if (!v.anomalous || minute < evalFrom) continue;
      const last = lastAnomalous.get(p.metric);
      if (last === undefined || minute - last > ALERT_GAP_MINUTES) episodes.push({ metric: p.metric, startMinute: minute });
      lastAnomalous.set(p.metric, minute);
    }
  }
  return { episodes, updates };
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function runSuite(opts: SuiteOptions): SuiteResult {
  const rng = seededRandom(opts.seed);
  const evalFrom = opts.learnDays * DAY_MINUTES;
  const evalTo = evalFrom + opts.evalDays * DAY_MINUTES;
  const results: IncidentResult[] = [];
  let updates = 0;
  let falseAround = 0;
  for (let i = 0; i < opts.incidentAgents; i++) {
    const agent = randomAgent(rng, `incident-agent-${i}`);
    let kind: IncidentKind = INCIDENT_KINDS[i % INCIDENT_KINDS.length]!;
    if (kind === 'volume_drop') agent.runsPerMinute = Math.max(agent.runsPerMinute, VOLUME_DROP_MIN_RATE);
    // Leave the first evaluated hours free so that the incident has a settled baseline to stand out from.
    const incident = randomIncident(rng, kind, evalFrom + 120, evalTo - 60);
    kind = incident.kind;
    const run = runAgent(opts, agent, [incident], rng);
    updates += run.updates;
    const watched = INCIDENT_METRICS[kind];
    const hits = run.episodes.filter((e) => watched.includes(e.metric) && e.startMinute >= incident.startMinute && e.startMinute <= incident.endMinute + GRACE_MINUTES);
    const first = hits.length ? Math.min(...hits.map((h) => h.startMinute)) : null;
    results.push({ agent: agent.name, kind, runsPerMinute: agent.runsPerMinute, detected: first !== null, delayMinutes: first === null ? null : first - incident.startMinute });
    falseAround += run.episodes.filter((e) => e.startMinute < incident.startMinute || e.startMinute > incident.endMinute + GRACE_MINUTES).length;
  }
  let falseAlerts = 0;
  const falseAlertsByMetric: Record<string, number> = {};
  for (let i = 0; i < opts.cleanAgents; i++) {
    const agent = randomAgent(rng, `clean-agent-${i}`);
    const run = runAgent(opts, agent, [], rng);
    updates += run.updates;
    falseAlerts += run.episodes.length;
    for (const e of run.episodes) falseAlertsByMetric[e.metric] = (falseAlertsByMetric[e.metric] ?? 0) + 1;
  }
  const agentWeeks = (opts.cleanAgents * opts.evalDays) / 7;
  const recallByKind: Record<string, number> = {};
  for (const k of INCIDENT_KINDS) {
    const of = results.filter((r) => r.kind === k);
    if (of.length) recallByKind[k] = of.filter((r) => r.detected).length / of.length;
  }
  const delays = results.filter((r) => r.delayMinutes !== null);
  return {
    incidents: results,
    recall: results.filter((r) => r.detected).length / Math.max(1, results.length),
    recallByKind,
    falseAlerts,
    agentWeeks,
    falseAlertsPerAgentWeek: agentWeeks > 0 ? falseAlerts / agentWeeks : 0,
    falseAlertsByMetric,
    falseAlertsAroundIncidents: falseAround,
    medianLevelShiftDelayMinutes: median(delays.filter((r) => LEVEL_SHIFT_KINDS.includes(r.kind)).map((r) => r.delayMinutes!)),
    medianDelayMinutes: median(delays.map((r) => r.delayMinutes!)),
    updates,
  };
}

export interface TickCost {
  series: number;
  medianTickMs: number;
  maxTickMs: number;
  /** CPU time per tick (user + system), less sensitive than wall time to other load on the machine. */
  medianTickCpuMs: number;
}

/**
 * Cost of one evaluation tick: `agents` × 8 metric detectors, each warmed with `warmMinutes` of
 * history, then `ticks` minute ticks timed (every detector updated once per tick).
 */
export function measureTickCost(agents: number, warmMinutes: number, ticks: number): TickCost {
  const metrics: MetricName[] = ['volume', 'success_rate', 'p95_latency_ms', 'tokens_per_run', 'iterations_per_run', 'tool_error_rate', 'tool_timeout_rate', 'default'];
  const rng = seededRandom(7);
  const detectors = Array.from({ length: agents * metrics.length }, (_, i) => createDetector({ metric: metrics[i % metrics.length]! }));
  const bases = detectors.map(() => 10 + 100 * rng());
  const step = (minute: number) => {
    const t = START_MS + minute * MINUTE_MS;
    for (let i = 0; i < detectors.length; i++) detectors[i]!.update({ t, value: bases[i]! * (1 + 0.1 * (rng() - 0.5)), weight: 20 });
  };
  for (let m = 0; m < warmMinutes; m++) step(m);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < ticks; k++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    step(warmMinutes + k);
    const used = process.cpuUsage(cpuStarted);
    times.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  return { series: detectors.length, medianTickMs: median(times)!, maxTickMs: Math.max(...times), medianTickCpuMs: median(cpu)! };
}
