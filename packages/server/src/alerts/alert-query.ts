// Fills a rule snapshot (AlertData) from the store, once per cycle and project: raw runs with tool
// calls for the longest rule window, the agents' declared config, and baselines from the rollups
// (quantile sketches), so a 24h p95 never scans raw runs.
import { sketchCount, sketchQuantile } from '../store/quantile-sketch.js';
import type { Store } from '../store/store.js';
import { baselineKey, createAlertData, type AgentBaseline, type AgentFact, type AlertData } from './alert-data.js';
import type { RuleNeeds } from './rule.js';

/**
 * Baselines are read from whole hours: the `spanMs` of hours that end at the start of the hour in
 * which the rule's window starts. Hour rollups make a 24h read 24 rows per agent instead of hours
 * plus up to two hours of minute rows at the edges (about 40× cheaper for 500 agents), and the
 * result only changes when that hour does, so it is computed once an hour. The gap it leaves
 * between baseline and window (under an hour) is immaterial against a 24h span.
 */
export const BASELINE_ALIGN_MS = 3_600_000;

/** Loads one project's snapshot at `now` for rules with these needs. */
export type AlertQuery = (projectId: number, now: number, needs: readonly RuleNeeds[]) => Promise<AlertData>;

export function createAlertQuery(store: Store): AlertQuery {
  const cache = new Map<string, { to: number; baselines: Map<string, AgentBaseline> }>();

  async function baselines(projectId: number, now: number, spanMs: number, windowMs: number): Promise<Map<string, AgentBaseline>> {
    const key = `${projectId}/${baselineKey(spanMs, windowMs)}`;
    const to = Math.floor((now - windowMs) / BASELINE_ALIGN_MS) * BASELINE_ALIGN_MS;
    const hit = cache.get(key);
    if (hit && hit.to === to) return hit.baselines;
    const rows = await store.agentRollups(projectId, { from: to - spanMs, to });
    const out = new Map<string, AgentBaseline>();
    for (const r of rows) {
      const runs = sketchCount(r.duration_ms);
      if (runs === 0) continue;
      out.set(r.agent_name, {
        runs,
        p95DurationMs: sketchQuantile(r.duration_ms, 0.95),
        medianTokens: sketchCount(r.tokens_used) > 0 ? sketchQuantile(r.tokens_used, 0.5) : null,
      });
    }
    cache.set(key, { to, baselines: out });
    return out;
  }

  return async (projectId, now, needs) => {
    const windowMs = Math.max(0, ...needs.map((n) => n.windowMs));
    const [runs, agentRecords] = await Promise.all([
      windowMs > 0 ? store.listRunFacts(projectId, { from: now - windowMs, to: now, toolCalls: true }) : Promise.resolve([]),
      store.listAgents(projectId),
    ]);
    const agents: AgentFact[] = agentRecords.map((a) => ({
      agent_name: a.agent_name,
      expected_tokens: a.config?.expected_tokens ?? null,
      max_iterations: a.config?.max_iterations ?? null,
    }));
    const wanted = new Map<string, { spanMs: number; windowMs: number }>();
    for (const n of needs) for (const b of n.baselines ?? []) wanted.set(baselineKey(b.spanMs, b.windowMs), b);
    const loaded = new Map<string, Map<string, AgentBaseline>>();
    for (const [k, b] of wanted) loaded.set(k, await baselines(projectId, now, b.spanMs, b.windowMs));
    return createAlertData({ now, runs, agents, baselines: loaded });
  };
}
