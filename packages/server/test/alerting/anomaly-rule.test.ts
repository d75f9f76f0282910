// The anomaly rule turns the fleet detector's incidents into alert instances: one FleetAnomaly
// when many agents slow down at once, the agents it explains as AnomalyDetected instances marked
// `explained_by` its identity key, and one AnomalyDetected per agent incident naming every metric.
// Per-minute rollups are built in memory; the rule's state store is a map, so a second rule
// instance on it is a restart. Time is an argument: one evaluation a minute.
import { describe, expect, it } from 'vitest';
import { anomalyDefaults, anomalyDetected, type AnomalyStateStore } from '../../src/alerting/rules/anomaly-detected.js';
import { createAlertData } from '../../src/alerting/alert-data.js';
import { labelKey } from '../../src/alerting/labels.js';
import type { Observation } from '../../src/alerting/state.js';
import { emptyAgentStats, type AgentRollup } from '../../src/store/rollup.js';
import { addValue } from '../../src/store/quantile-sketch.js';
import { MINUTE, T0, seededNoise } from './anomaly/series-helpers.js';

const AGENTS = Array.from({ length: 12 }, (_, i) => `agent-${String(i).padStart(2, '0')}`);
const SLOW = new Set(AGENTS.slice(0, 8));
const INCIDENT_FROM = 300;
const LOOPER = 'agent-11';

/** Minute m of every agent: 10 runs, p95 around 2 s; from INCIDENT_FROM the SLOW agents run 2.5x slower, LOOPER loops. */
function rollups(from: number, to: number): AgentRollup[] {
  const out: AgentRollup[] = [];
  for (let t = from; t < to; t += MINUTE) {
    const m = (t - T0) / MINUTE;
    const noise = seededNoise(m + 1);
    for (const agent of AGENTS) {
      const r: AgentRollup = { ...emptyAgentStats(), agent_name: agent, bucket_start: t };
      const slow = SLOW.has(agent) && m >= INCIDENT_FROM ? 2.5 : 1;
      const loop = agent === LOOPER && m >= INCIDENT_FROM ? 3 : 1;
      for (let i = 0; i < 10; i++) {
        r.runs++;
        r.status.success++;
        addValue(r.duration_ms, 2000 * slow * (1 + 0.1 * noise()));
        r.tokens_used_sum += 3000 * loop * (1 + 0.05 * noise());
        r.iterations_sum += 4 * loop * (1 + 0.05 * noise());
      }
      out.push(r);
    }
  }
  return out;
}

function stateStore(): AnomalyStateStore {
  const map = new Map<string, unknown>();
  return {
    get: async (_p, prefix) => new Map([...map].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k, structuredClone(v)])),
    put: async (_p, entries) => {
      for (const [k, v] of entries) map.set(k, structuredClone(v));
    },
  };
}

async function evaluateAt(rule: ReturnType<typeof anomalyDetected>, now: number): Promise<Observation[]> {
  const data = createAlertData({ now, runs: [], agents: [], baselines: new Map() });
  return rule.evaluate({ projectId: 1, data, runListUrl: (q) => `http://vigil.test/runs?agent_name=${q.agent_name}` });
}

describe('the anomaly rule', () => {
  it('raises one FleetAnomaly for many slow agents, marks the agents it explains, and pages nothing new after a restart', async () => {
    const state = stateStore();
    const deps = { minuteRollups: async (_p: number, from: number, to: number) => rollups(from, to), state };
    const rule = anomalyDetected(anomalyDefaults(), deps);
    let found: Observation[] = [];
    // Starts 4 h 10 min in: the rule warms up on the last 4 hours, 5 minutes per evaluation.
    let now = T0 + 250 * MINUTE;
    for (; now <= T0 + (INCIDENT_FROM + 8) * MINUTE; now += MINUTE) found = await evaluateAt(rule, now);

    const fleet = found.filter((o) => o.labels.alertname === 'FleetAnomaly');
    expect(fleet.map((o) => o.labels)).toEqual([{ alertname: 'FleetAnomaly', metric: 'p95_latency_ms', direction: 'up', severity: 'warning' }]);
    const f = fleet[0]!;
    expect(f.annotations.summary).toMatch(/^p95 latency \d\.\dx normal on 8 of 12 agents since 05:0\d$/);
    expect(f.annotations.agents!.split(',')).toEqual([...SLOW].sort());
    expect(f.annotations.agents_affected).toBe('8');
    expect(f.annotations.agents_total).toBe('12');
    expect(Number(f.annotations.magnitude)).toBeGreaterThan(2);

    const explained = found.filter((o) => o.labels.alertname === 'AnomalyDetected' && o.annotations.explained_by);
    expect(explained.map((o) => o.labels.agent).sort()).toEqual([...SLOW].sort());
    for (const o of explained) expect(o.annotations.explained_by).toBe(labelKey(f.labels));

    // The looping agent is its own incident: one AnomalyDetected naming every metric it moved.
    const own = found.filter((o) => o.labels.alertname === 'AnomalyDetected' && !o.annotations.explained_by);
    expect(own.map((o) => o.labels.agent)).toEqual([LOOPER]);
    expect(own[0]!.annotations.metrics!.split(',').sort()).toEqual(['iterations_per_run', 'tokens_per_run']);
    expect(own[0]!.labels.metric).toBe(own[0]!.annotations.metrics!.split(',')[0]);

    // A restart: a new rule on the stored state, one minute later, reports the same incidents (the
    // same label sets, so the evaluator's stored instances carry on and nothing is notified again).
    await rule.persist();
    const again = anomalyDetected(anomalyDefaults(), deps);
    const after = await evaluateAt(again, now);
    expect(after.map((o) => labelKey(o.labels)).sort()).toEqual(found.map((o) => labelKey(o.labels)).sort());
    const fleetAfter = after.find((o) => o.labels.alertname === 'FleetAnomaly')!;
    expect(fleetAfter.annotations.summary!.slice(-11)).toBe(f.annotations.summary!.slice(-11));
    expect(fleetAfter.annotations.agents).toBe(f.annotations.agents);
  });
});
