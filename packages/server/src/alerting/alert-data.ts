// What rules read: a per-cycle, in-memory snapshot of recent runs (with their tool calls), the
// agents' declared config and 24h baselines. Rules are synchronous functions of this snapshot, so
// rule tests need nothing but data; alert-query.ts fills it from the store once per cycle.
import type { RunFact, ToolFact } from '../store/store.js';

export type { RunFact, ToolFact };

export interface AgentFact {
  agent_name: string;
  /** Declared `expected_tokens`, when the agent registered one. */
  expected_tokens: number | null;
  max_iterations: number | null;
}

/** Per-agent figures over a baseline range (the span that precedes a rule's window). */
export interface AgentBaseline {
  runs: number;
  p95DurationMs: number | null;
  medianTokens: number | null;
}

export interface AlertData {
  /** The evaluation time. */
  now: number;
  /** Agents with runs in the loaded window or with a declared config, by name. */
  agents: AgentFact[];
  /** The agent's runs that started in [from, now), oldest first. `from` must be within the loaded window. */
  runs(agent: string, from: number): RunFact[];
  /** The agent's baseline for `spanMs` preceding `windowMs` before now; undefined when not loaded. */
  baseline(agent: string, spanMs: number, windowMs: number): AgentBaseline | undefined;
}

/**
 * Quantile of an ascending array by the rank rule the rollup sketches use (floor(q·(n−1)) from 0),
 * so a window's p95 here and the analytics API's agree; null when empty.
 */
export function quantileSorted(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.floor(Math.min(1, Math.max(0, q)) * (sorted.length - 1));
  return sorted[rank]!;
}

export function quantile(values: readonly number[], q: number): number | null {
  return quantileSorted([...values].sort((a, b) => a - b), q);
}

/** Baseline figures from a baseline range's durations and token counts (any order). */
export function baselineOf(durations: number[], tokens: number[]): AgentBaseline {
  return { runs: durations.length, p95DurationMs: quantile(durations, 0.95), medianTokens: quantile(tokens, 0.5) };
}

export const baselineKey = (spanMs: number, windowMs: number): string => `${spanMs}/${windowMs}`;

/**
 * Builds a snapshot from plain arrays. `baselines` maps baselineKey(span, window) → agent →
 * baseline. Used by the store-backed loader and directly by tests.
 */
export function createAlertData(input: {
  now: number;
  runs: RunFact[];
  agents?: AgentFact[];
  baselines?: Map<string, Map<string, AgentBaseline>>;
}): AlertData {
  const byAgent = new Map<string, RunFact[]>();
  for (const run of input.runs) {
    let list = byAgent.get(run.agent_name);
    if (!list) byAgent.set(run.agent_name, (list = []));
    list.push(run);
  }
  for (const list of byAgent.values()) list.sort((a, b) => a.ts - b.ts || (a.run_id < b.run_id ? -1 : 1));
  const agents = new Map<string, AgentFact>();
  for (const a of input.agents ?? []) agents.set(a.agent_name, a);
  for (const name of byAgent.keys()) if (!agents.has(name)) agents.set(name, { agent_name: name, expected_tokens: null, max_iterations: null });

  return {
    now: input.now,
    agents: [...agents.values()].sort((a, b) => (a.agent_name < b.agent_name ? -1 : 1)),
    runs(agent, from) {
      const list = byAgent.get(agent);
      if (!list) return [];
      // Binary search for the first run at or after `from`.
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid]!.ts < from) lo = mid + 1;
        else hi = mid;
      }
      let end = list.length;
      while (end > lo && list[end - 1]!.ts >= input.now) end--;
      return list.slice(lo, end);
    },
    baseline(agent, spanMs, windowMs) {
      return input.baselines?.get(baselineKey(spanMs, windowMs))?.get(agent);
    },
  };
}
