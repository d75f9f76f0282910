// Runs createFleetDetector over a generated project (generate.ts) and scores it as pages: each
// `open` is one page; a fleet incident counts once; an agent incident counts as caught only by an
// agent-scope incident naming one of its relevant metrics. Everything else opened in the evaluated
// period is a false page (the holiday's page included, and agent pages a fleet incident should
// have absorbed).
import { createFleetDetector } from '../../packages/server/src/alerting/anomaly/index.js';
import type { FleetDetectorOptions, IncidentChange } from '../../packages/server/src/alerting/anomaly/index.js';
import { createFleet, createMinuteSource, DAY_MINUTES, MINUTE_MS, RELEVANT_METRICS, START_MS, STEP_KINDS } from './generate.js';
import type { FleetSpec, Incident, IncidentKind } from './generate.js';

/** A page this long after an incident ends still counts for it (rollups settle, evidence pools). */
export const GRACE_MINUTES = 15;
/** Creeps must be caught within this long of their start. */
export const CREEP_DEADLINE_MINUTES = 360;

export interface IncidentResult {
  kind: IncidentKind;
  agents: number;
  runsPerMinute: number;
  detected: boolean;
  delayMinutes: number | null;
}

export interface FleetSuiteResult {
  incidents: IncidentResult[];
  recall: number;
  recallByKind: Record<string, number>;
  pages: number;
  falsePages: number;
  falsePagesByKind: Record<string, number>;
  agentWeeks: number;
  falsePagesPerAgentWeek: number;
  medianStepDelayMinutes: number | null;
  creepsWithinDeadline: number;
  creeps: number;
  holidayPages: number;
  updates: number;
  detectorMs: number;
}

interface Page {
  minute: number;
  change: IncidentChange;
  /** Metrics the incident named by `minute` (open and later updates). */
  metricsAt: { minute: number; metrics: string[] }[];
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function runFleetSuite(spec: FleetSpec, options: FleetDetectorOptions = {}): FleetSuiteResult {
  const fleet = createFleet(spec);
  const source = createMinuteSource(fleet, spec.seed);
  const detector = createFleetDetector(options);
  const evalFrom = spec.learnDays * DAY_MINUTES;
  const total = (spec.learnDays + spec.evalDays) * DAY_MINUTES;
  const pages = new Map<string, Page>();
  let updates = 0;
  let detectorMs = 0;
  for (let m = 0; m < total; m++) {
    const points = source(m);
    updates += points.length;
    const started = performance.now();
    const changes = detector.update(START_MS + m * MINUTE_MS, points);
    detectorMs += performance.now() - started;
    for (const c of changes) {
      if (c.type === 'open' && m >= evalFrom) pages.set(c.id, { minute: m, change: c, metricsAt: [{ minute: m, metrics: c.metrics }] });
      else if (c.type === 'update') pages.get(c.id)?.metricsAt.push({ minute: m, metrics: c.metrics });
    }
  }

  const runsOf = new Map(fleet.agents.map((a) => [a.name, a.peakRuns]));
  const explainedPages = new Set<string>();
  const results: IncidentResult[] = [];
  const within = (p: Page, inc: Incident) => p.minute >= inc.startMinute && p.minute <= inc.endMinute + GRACE_MINUTES;
  for (const inc of fleet.incidents) {
    let first: number | null = null;
    for (const [id, p] of pages) {
      const c = p.change;
      if (inc.kind === 'fleet_slowdown') {
        if (c.scope === 'fleet' && within(p, inc) && c.metrics.includes('p95_latency_ms')) {
          explainedPages.add(id);
          first = Math.min(first ?? Infinity, p.minute);
        }
        continue;
      }
      if (c.scope !== 'agent' || c.agents[0] !== inc.agents[0]) continue;
      const hit = p.metricsAt.find((x) => x.minute >= inc.startMinute && x.minute <= inc.endMinute + GRACE_MINUTES && x.metrics.some((m) => RELEVANT_METRICS[inc.kind].includes(m)));
      // A page for this agent during its incident is about the incident, whatever it names first.
      if (within(p, inc)) explainedPages.add(id);
      if (hit) first = Math.min(first ?? Infinity, hit.minute);
    }
    results.push({
      kind: inc.kind, agents: inc.agents.length, runsPerMinute: inc.agents.length === 1 ? runsOf.get(inc.agents[0]!)! : NaN,
      detected: first !== null, delayMinutes: first === null ? null : first - inc.startMinute,
    });
  }
  const falsePagesByKind: Record<string, number> = {};
  let falsePages = 0;
  let holidayPages = 0;
  for (const [id, p] of pages) {
    if (explainedPages.has(id)) continue;
    falsePages++;
    const k = `${p.change.scope}:${p.change.metrics[0]}`;
    falsePagesByKind[k] = (falsePagesByKind[k] ?? 0) + 1;
    if (Math.floor(p.minute / DAY_MINUTES) === fleet.holidayDay) holidayPages++;
  }
  const recallByKind: Record<string, number> = {};
  for (const k of new Set(results.map((r) => r.kind))) {
    const of = results.filter((r) => r.kind === k);
    recallByKind[k] = of.filter((r) => r.detected).length / of.length;
  }
  const creeps = results.filter((r) => r.kind === 'slow_creep');
  const agentWeeks = (spec.agents * spec.evalDays) / 7;
  return {
    incidents: results,
    recall: results.filter((r) => r.detected).length / Math.max(1, results.length),
    recallByKind,
    pages: pages.size,
    falsePages,
    falsePagesByKind,
    agentWeeks,
    falsePagesPerAgentWeek: falsePages / agentWeeks,
    medianStepDelayMinutes: median(results.filter((r) => STEP_KINDS.includes(r.kind) && r.delayMinutes !== null).map((r) => r.delayMinutes!)),
    creepsWithinDeadline: creeps.filter((r) => r.delayMinutes !== null && r.delayMinutes <= CREEP_DEADLINE_MINUTES).length,
    creeps: creeps.length,
    holidayPages,
    updates,
    detectorMs,
  };
}
