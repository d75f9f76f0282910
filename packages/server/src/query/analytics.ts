// Fleet analytics over rollups: per-agent summaries, time series, tool usage. Each function takes
// (store, projectId, agent, range) and returns plain data, so the HTTP routes and the alert
// evaluator call the same code. Nothing here reads raw runs or the clock.
import type { RunReader, RollupReader } from '../store/store.js';
import {
  emptyAgentStats, emptyToolStats, mergeAgentStats, mergeToolStats, DAY_MS, type AgentStats, type ToolStats,
} from '../store/rollup.js';
import { sketchQuantile } from '../store/quantile-sketch.js';
import {
  ratio, round, SERIES_METRICS, summarizeAgent, summarizeTool, type AgentSummary, type SeriesMetric, type ToolFigures,
} from './agent-metrics.js';

/** A time range, epoch ms, [from, to). Rollups count whole minutes (from rounds down, to up). */
export interface TimeRange {
  from: number;
  to: number;
}

/** How far back a tool's own norm (calls per run) is measured, before the range asked about. */
export const TOOL_BASELINE_MS = 7 * DAY_MS;
/** The norm counts only when the baseline has at least this many runs. */
export const TOOL_BASELINE_MIN_RUNS = 20;
/** Overused: calls per run at least this many times the norm… */
export const OVERUSE_RATIO = 2;
/** …and at least this many more calls per run than the norm (so 0.1 → 0.2 is not flagged). */
export const OVERUSE_MIN_EXTRA_CALLS_PER_RUN = 0.5;
/** Overused: this many calls repeating the previous call's arguments… */
export const REPEAT_MIN_CALLS = 3;
/** …making up at least this share of the tool's calls. */
export const REPEAT_MIN_SHARE = 0.1;

export interface AgentOverview extends AgentSummary {
  agent_name: string;
  /** True when the agent registered its config (POST /v1/agents). */
  declared: boolean;
  /** Models this agent ran in the range that the price table does not know. */
  unpriced_models: string[];
}

/** Raw summed stats of one agent (for callers that need more than the summary). */
export async function agentStats(store: RunReader & RollupReader, projectId: number, agent: string, range: TimeRange): Promise<AgentStats> {
  const rows = await store.agentRollups(projectId, { from: range.from, to: range.to, agent_name: agent });
  const total = emptyAgentStats();
  for (const r of rows) mergeAgentStats(total, r);
  return total;
}

/** One agent's summary over the range (zeros when it had no runs). */
export async function agentSummary(store: RunReader & RollupReader, projectId: number, agent: string, range: TimeRange): Promise<AgentSummary> {
  return summarizeAgent(await agentStats(store, projectId, agent, range));
}

/** Every known agent (registered or seen), with its summary over the range, sorted by name. */
export async function fleetOverview(store: RunReader & RollupReader, projectId: number, range: TimeRange): Promise<{ agents: AgentOverview[]; unpriced_models: string[] }> {
  const [known, rollups, models] = await Promise.all([
    store.listAgents(projectId),
    store.agentRollups(projectId, range),
    store.modelRollups(projectId, range),
  ]);
  const byAgent = new Map(rollups.map((r) => [r.agent_name, r]));
  const unpriced = new Map<string, Set<string>>();
  for (const m of models) {
    if (m.unpriced_runs <= 0) continue;
    let set = unpriced.get(m.agent_name);
    if (!set) unpriced.set(m.agent_name, (set = new Set()));
    set.add(m.model);
  }
  const names = [...new Set([...known.map((a) => a.agent_name), ...byAgent.keys()])].sort();
  const declared = new Set(known.filter((a) => a.config !== null).map((a) => a.agent_name));
  const agents = names.map((name) => ({
    agent_name: name,
    declared: declared.has(name),
    ...summarizeAgent(byAgent.get(name) ?? emptyAgentStats()),
    unpriced_models: [...(unpriced.get(name) ?? [])].sort(),
  }));
  const all = new Set<string>();
  for (const set of unpriced.values()) for (const m of set) all.add(m);
  return { agents, unpriced_models: [...all].sort() };
}

export interface SeriesPoint {
  /** Step start, epoch ms (multiples of the step since the epoch, UTC). */
  t: number;
  values: Partial<Record<SeriesMetric, number>>;
}

/** Largest series a request may ask for. */
export const MAX_SERIES_POINTS = 10_000;

/** Steps a series may be chosen from when the client gives none. */
export const AUTO_STEPS_MS = [1, 5, 15, 30, 60, 180, 360, 720, 1440].map((m) => m * 60_000);
/** An automatic step keeps a series to about this many points (24 h → 5 m, 30 d → 3 h). */
export const AUTO_STEP_TARGET_POINTS = 360;

export function autoStep(range: TimeRange): number {
  const span = range.to - range.from;
  return AUTO_STEPS_MS.find((s) => span / s <= AUTO_STEP_TARGET_POINTS) ?? AUTO_STEPS_MS[AUTO_STEPS_MS.length - 1]!;
}

export function seriesLength(range: TimeRange, stepMs: number): number {
  const first = Math.floor(range.from / stepMs) * stepMs;
  return Math.ceil((range.to - first) / stepMs);
}

/**
 * One agent's metrics per step. Every step of the range has a point (zeros where no run fell),
 * so charts and detectors see gaps as zero volume rather than missing data.
 */
export async function agentSeries(
  store: RunReader & RollupReader, projectId: number, agent: string, range: TimeRange, stepMs: number, metrics: readonly SeriesMetric[],
): Promise<SeriesPoint[]> {
  const rows = await store.agentRollups(projectId, { from: range.from, to: range.to, agent_name: agent, step_ms: stepMs });
  const byStep = new Map(rows.map((r) => [r.bucket_start, r as AgentStats]));
  const first = Math.floor(range.from / stepMs) * stepMs;
  const empty = emptyAgentStats();
  const points: SeriesPoint[] = [];
  for (let t = first; t < range.to; t += stepMs) {
    const s = byStep.get(t) ?? empty;
    const values: Partial<Record<SeriesMetric, number>> = {};
    for (const m of metrics) values[m] = SERIES_METRICS[m](s);
    points.push({ t, values });
  }
  return points;
}

/** Success rate over the range, with the run count it rests on (alert rules gate on it). */
export async function successRate(store: RunReader & RollupReader, projectId: number, agent: string, range: TimeRange): Promise<{ runs: number; success_rate: number }> {
  const s = await agentStats(store, projectId, agent, range);
  return { runs: s.runs, success_rate: ratio(s.status.success, s.runs) };
}

/** A duration quantile (q in 0..1) over the range, within 1% of the exact value; 0 without runs. */
export async function latencyQuantile(store: RunReader & RollupReader, projectId: number, agent: string, range: TimeRange, q: number): Promise<{ runs: number; value_ms: number }> {
  const s = await agentStats(store, projectId, agent, range);
  return { runs: s.runs, value_ms: sketchQuantile(s.duration_ms, q) };
}

/** A tokens-per-run quantile over the range (TokenBudgetOverrun's median baseline). */
export async function tokensQuantile(store: RunReader & RollupReader, projectId: number, agent: string, range: TimeRange, q: number): Promise<{ runs: number; value: number }> {
  const s = await agentStats(store, projectId, agent, range);
  return { runs: s.runs, value: sketchQuantile(s.tokens_used, q) };
}

/** Raw per-tool sums over the range, by tool name. */
export async function toolCounts(store: RunReader & RollupReader, projectId: number, agent: string, range: TimeRange): Promise<Map<string, ToolStats>> {
  const rows = await store.toolRollups(projectId, { from: range.from, to: range.to, agent_name: agent });
  const out = new Map<string, ToolStats>();
  for (const r of rows) {
    let t = out.get(r.tool_name);
    if (!t) out.set(r.tool_name, (t = emptyToolStats()));
    mergeToolStats(t, r);
  }
  return out;
}

export interface ToolUsage extends ToolFigures {
  tool: string;
  /** Declared in the agent's registered config. */
  declared: boolean;
  /** The declared timeout, when there is one. */
  timeout_ms: number | null;
  calls_per_run: number;
  /** Calls per run over the TOOL_BASELINE_MS before the range; null when that had too few runs. */
  baseline_calls_per_run: number | null;
  /** Declared and not called in the range. */
  never_used: boolean;
  overused: boolean;
  /** Why it is flagged overused, in words with the numbers (empty when not). */
  overuse_reasons: string[];
}

/** Per tool of one agent: usage, failures, latency, and the never-used / overused flags. */
export async function toolUsage(store: RunReader & RollupReader, projectId: number, agent: string, range: TimeRange): Promise<{ runs: number; tools: ToolUsage[] }> {
  const baselineRange = { from: range.from - TOOL_BASELINE_MS, to: range.from };
  const [record, stats, counts, baseStats, baseCounts] = await Promise.all([
    store.getAgent(projectId, agent),
    agentStats(store, projectId, agent, range),
    toolCounts(store, projectId, agent, range),
    agentStats(store, projectId, agent, baselineRange),
    toolCounts(store, projectId, agent, baselineRange),
  ]);
  const declared = new Map((record?.config?.tools ?? []).map((t) => [t.type, t.timeout_ms ?? null]));
  const names = [...new Set([...declared.keys(), ...counts.keys()])].sort();
  const tools = names.map((name): ToolUsage => {
    const t = counts.get(name) ?? emptyToolStats();
    const callsPerRun = ratio(t.calls, stats.runs);
    const base = baseStats.runs >= TOOL_BASELINE_MIN_RUNS ? ratio(baseCounts.get(name)?.calls ?? 0, baseStats.runs) : null;
    const reasons: string[] = [];
    if (base !== null && base > 0 && callsPerRun >= OVERUSE_RATIO * base && callsPerRun - base >= OVERUSE_MIN_EXTRA_CALLS_PER_RUN) {
      reasons.push(`${round(callsPerRun, 2)} calls per run, ${round(callsPerRun / base, 1)}x its norm of ${round(base, 2)}`);
    }
    if (t.repeated_args_calls >= REPEAT_MIN_CALLS && ratio(t.repeated_args_calls, t.calls) >= REPEAT_MIN_SHARE) {
      reasons.push(`${t.repeated_args_calls} of ${t.calls} calls repeated the previous call's arguments`);
    }
    return {
      tool: name,
      declared: declared.has(name),
      timeout_ms: declared.get(name) ?? null,
      ...summarizeTool(t),
      calls_per_run: round(callsPerRun, 4),
      baseline_calls_per_run: base === null ? null : round(base, 4),
      never_used: declared.has(name) && t.calls <= 0,
      overused: reasons.length > 0,
      overuse_reasons: reasons,
    };
  });
  return { runs: stats.runs, tools };
}
