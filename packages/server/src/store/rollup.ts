// Rollups, engine-neutral: what a rollup row holds, how a run adds to (or, when replaced, subtracts
// from) the rows of its minute, hour and day, and how a time range splits into whole buckets of
// each level. Engines store and sum these rows; they share this file so both count the same way.
// No SQL here, and no clock.
import { COMPLETION_STATUSES, type CompletionStatus, type RunRecord } from '@vigil/protocol';
import { addKey, emptySketch, mergeSketch, sketchKey, type QuantileSketch } from './quantile-sketch.js';

export const MINUTE_MS = 60_000;
export const TEN_MINUTES_MS = 600_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * Bucket sizes kept for agents and tools, finest first. Minutes answer short windows and the
 * edges of long ones; ten minutes keep those edges to a handful of rows (a "last 24 h" that
 * starts at :47 reads 7 minutes + 1 ten-minute bucket, not 13 minutes); hours and days keep a
 * 30-day (or 400-day) query to a few thousand rows.
 */
export const ROLLUP_LEVELS_MS: readonly number[] = [MINUTE_MS, TEN_MINUTES_MS, HOUR_MS, DAY_MS];
/** Per-model rows only say which models were used and which were unpriced: hours are enough. */
export const MODEL_ROLLUP_LEVELS_MS: readonly number[] = [HOUR_MS, DAY_MS];

export type StatusCounts = Record<CompletionStatus, number>;

export interface AgentStats {
  runs: number;
  status: StatusCounts;
  duration_ms_sum: number;
  iterations_sum: number;
  tokens_used_sum: number;
  tokens_input_sum: number;
  tokens_output_sum: number;
  tokens_cached_input_sum: number;
  tokens_reasoning_sum: number;
  /** Tokens of runs that did not end `success`. */
  failed_tokens_sum: number;
  /** Sum of cost_usd over the runs that have one. */
  cost_usd_sum: number;
  priced_runs: number;
  tool_calls: number;
  tool_errors: number;
  tool_timeouts: number;
  duration_ms: QuantileSketch;
  tokens_used: QuantileSketch;
  iterations: QuantileSketch;
}

export interface ToolStats {
  calls: number;
  success: number;
  errors: number;
  timeouts: number;
  /** Calls that reported a duration, and the sum of those durations. */
  timed_calls: number;
  duration_ms_sum: number;
  /** Runs that called the tool at least once. */
  runs_with_tool: number;
  /** Calls with the same arguments (args_hash) as the call just before them in the run. */
  repeated_args_calls: number;
  duration_ms: QuantileSketch;
}

export interface ModelStats {
  runs: number;
  /** Runs of this model without cost_usd: the price table does not know the model. */
  unpriced_runs: number;
  cost_usd_sum: number;
  tokens_used_sum: number;
}

export interface AgentRollup extends AgentStats {
  agent_name: string;
  /** Start of the bucket (or of the step, in a series), epoch ms. */
  bucket_start: number;
}

export interface ToolRollup extends ToolStats {
  agent_name: string;
  tool_name: string;
  bucket_start: number;
}

export interface ModelRollup extends ModelStats {
  agent_name: string;
  model: string;
  bucket_start: number;
}

/** A rollup read: [from, to) epoch ms; with step_ms, one entry per step instead of one per range. */
export interface RollupQuery {
  from: number;
  to: number;
  agent_name?: string;
  /** A whole number of minutes; steps start at multiples of step_ms since the epoch (UTC). */
  step_ms?: number;
}

export const emptyStatusCounts = (): StatusCounts =>
  Object.fromEntries(COMPLETION_STATUSES.map((s) => [s, 0])) as StatusCounts;

export function emptyAgentStats(): AgentStats {
  return {
    runs: 0, status: emptyStatusCounts(), duration_ms_sum: 0, iterations_sum: 0, tokens_used_sum: 0, tokens_input_sum: 0,
    tokens_output_sum: 0, tokens_cached_input_sum: 0, tokens_reasoning_sum: 0, failed_tokens_sum: 0, cost_usd_sum: 0,
    priced_runs: 0, tool_calls: 0, tool_errors: 0, tool_timeouts: 0,
    duration_ms: emptySketch(), tokens_used: emptySketch(), iterations: emptySketch(),
  };
}

export function emptyToolStats(): ToolStats {
  return {
    calls: 0, success: 0, errors: 0, timeouts: 0, timed_calls: 0, duration_ms_sum: 0, runs_with_tool: 0,
    repeated_args_calls: 0, duration_ms: emptySketch(),
  };
}

export function emptyModelStats(): ModelStats {
  return { runs: 0, unpriced_runs: 0, cost_usd_sum: 0, tokens_used_sum: 0 };
}

/** The numeric (non-sketch, non-status) fields, in one list so engines and merges agree. */
export const AGENT_SUM_FIELDS = [
  'runs', 'duration_ms_sum', 'iterations_sum', 'tokens_used_sum', 'tokens_input_sum', 'tokens_output_sum',
  'tokens_cached_input_sum', 'tokens_reasoning_sum', 'failed_tokens_sum', 'cost_usd_sum', 'priced_runs',
  'tool_calls', 'tool_errors', 'tool_timeouts',
] as const satisfies readonly (keyof AgentStats)[];
export const AGENT_SKETCH_FIELDS = ['duration_ms', 'tokens_used', 'iterations'] as const satisfies readonly (keyof AgentStats)[];
export const TOOL_SUM_FIELDS = [
  'calls', 'success', 'errors', 'timeouts', 'timed_calls', 'duration_ms_sum', 'runs_with_tool', 'repeated_args_calls',
] as const satisfies readonly (keyof ToolStats)[];
export const MODEL_SUM_FIELDS = ['runs', 'unpriced_runs', 'cost_usd_sum', 'tokens_used_sum'] as const satisfies readonly (keyof ModelStats)[];

export function mergeAgentStats(into: AgentStats, from: AgentStats, sign: 1 | -1 = 1): void {
  for (const f of AGENT_SUM_FIELDS) into[f] += sign * from[f];
  for (const s of COMPLETION_STATUSES) into.status[s] += sign * from.status[s];
  for (const f of AGENT_SKETCH_FIELDS) mergeSketch(into[f], from[f], sign);
}

export function mergeToolStats(into: ToolStats, from: ToolStats, sign: 1 | -1 = 1): void {
  for (const f of TOOL_SUM_FIELDS) into[f] += sign * from[f];
  mergeSketch(into.duration_ms, from.duration_ms, sign);
}

export function mergeModelStats(into: ModelStats, from: ModelStats, sign: 1 | -1 = 1): void {
  for (const f of MODEL_SUM_FIELDS) into[f] += sign * from[f];
}

// ---- Deltas: what a group of writes adds to each rollup row -------------------------------

export interface AgentDelta extends AgentRollup { project_id: number; level_ms: number }
export interface ToolDelta extends ToolRollup { project_id: number; level_ms: number }
export interface ModelDelta extends ModelRollup { project_id: number; level_ms: number }

/**
 * The change a set of writes makes to every rollup row it touches, one entry per row. A write
 * group sums its runs here in memory (addRunToDelta fills the finest level only), then the
 * engine adds the coarser levels once (expandDelta) and applies each entry once: one upsert per
 * row per transaction, however many runs fell into that minute.
 */
export interface RollupDelta {
  agents: Map<string, AgentDelta>;
  tools: Map<string, ToolDelta>;
  models: Map<string, ModelDelta>;
}

export function createRollupDelta(): RollupDelta {
  return { agents: new Map(), tools: new Map(), models: new Map() };
}

const floorTo = (t: number, step: number): number => Math.floor(t / step) * step;

/**
 * Adds the row key to a stats object in place. (Spreading a 25-field object into a new literal
 * made V8 fall back to slow dictionary objects, which tripled the cost of summing a run.)
 */
function withKey<T extends object>(stats: T, projectId: number, level: number, agent: string, bucket: number) {
  return Object.assign(stats, { project_id: projectId, level_ms: level, agent_name: agent, bucket_start: bucket });
}

interface ToolRunPart {
  calls: number; success: number; errors: number; timeouts: number; timed_calls: number; duration_ms_sum: number;
  repeated_args_calls: number; durationKeys: (number | null)[];
}

/** Adds one run to the delta (sign 1), or takes a replaced run out of it (sign -1). */
export function addRunToDelta(delta: RollupDelta, projectId: number, run: RunRecord, sign: 1 | -1): void {
  const durationKey = sketchKey(run.duration_ms);
  const tokensKey = sketchKey(run.tokens_used);
  const iterationsKey = sketchKey(run.iterations);
  const failed = run.completion_status !== 'success';
  let toolErrors = 0;
  let toolTimeouts = 0;

  // Per-tool figures of this run, computed once and added at every level.
  const perTool = new Map<string, ToolRunPart>();
  let previous: { name: string; args_hash: string | null } | null = null;
  for (const call of run.tool_calls) {
    let part = perTool.get(call.name);
    if (!part) {
      part = { calls: 0, success: 0, errors: 0, timeouts: 0, timed_calls: 0, duration_ms_sum: 0, repeated_args_calls: 0, durationKeys: [] };
      perTool.set(call.name, part);
    }
    part.calls += 1;
    if (call.status === 'success') part.success += 1;
    else if (call.status === 'error') { part.errors += 1; toolErrors += 1; }
    else { part.timeouts += 1; toolTimeouts += 1; }
    if (call.duration_ms !== null) {
      part.timed_calls += 1;
      part.duration_ms_sum += call.duration_ms;
      part.durationKeys.push(sketchKey(call.duration_ms));
    }
    if (previous && previous.name === call.name && call.args_hash !== null && previous.args_hash === call.args_hash) {
      part.repeated_args_calls += 1;
    }
    previous = call;
  }

  {
    const level = ROLLUP_LEVELS_MS[0]!;
    const bucket = floorTo(run.timestamp, level);
    const aKey = `${projectId}\u0000${level}\u0000${bucket}\u0000${run.agent_name}`;
    let a = delta.agents.get(aKey);
    if (!a) {
      a = withKey(emptyAgentStats(), projectId, level, run.agent_name, bucket);
      delta.agents.set(aKey, a);
    }
    a.runs += sign;
    a.status[run.completion_status] += sign;
    a.duration_ms_sum += sign * run.duration_ms;
    a.iterations_sum += sign * run.iterations;
    a.tokens_used_sum += sign * run.tokens_used;
    a.tokens_input_sum += sign * run.tokens.input;
    a.tokens_output_sum += sign * run.tokens.output;
    a.tokens_cached_input_sum += sign * run.tokens.cached_input;
    a.tokens_reasoning_sum += sign * run.tokens.reasoning;
    if (failed) a.failed_tokens_sum += sign * run.tokens_used;
    if (run.cost_usd !== null) {
      a.cost_usd_sum += sign * run.cost_usd;
      a.priced_runs += sign;
    }
    a.tool_calls += sign * run.tool_calls.length;
    a.tool_errors += sign * toolErrors;
    a.tool_timeouts += sign * toolTimeouts;
    addKey(a.duration_ms, durationKey, sign);
    addKey(a.tokens_used, tokensKey, sign);
    addKey(a.iterations, iterationsKey, sign);

    for (const [name, part] of perTool) {
      const tKey = `${aKey}\u0000${name}`;
      let t = delta.tools.get(tKey);
      if (!t) {
        t = withKey(emptyToolStats(), projectId, level, run.agent_name, bucket) as ToolDelta;
        t.tool_name = name;
        delta.tools.set(tKey, t);
      }
      t.calls += sign * part.calls;
      t.success += sign * part.success;
      t.errors += sign * part.errors;
      t.timeouts += sign * part.timeouts;
      t.timed_calls += sign * part.timed_calls;
      t.duration_ms_sum += sign * part.duration_ms_sum;
      t.runs_with_tool += sign;
      t.repeated_args_calls += sign * part.repeated_args_calls;
      for (const k of part.durationKeys) addKey(t.duration_ms, k, sign);
    }
  }

  if (run.model !== null) {
    {
      const level = MODEL_ROLLUP_LEVELS_MS[0]!;
      const bucket = floorTo(run.timestamp, level);
      const mKey = `${projectId}\u0000${level}\u0000${bucket}\u0000${run.agent_name}\u0000${run.model}`;
      let m = delta.models.get(mKey);
      if (!m) {
        m = withKey(emptyModelStats(), projectId, level, run.agent_name, bucket) as ModelDelta;
        m.model = run.model;
        delta.models.set(mKey, m);
      }
      m.runs += sign;
      m.tokens_used_sum += sign * run.tokens_used;
      if (run.cost_usd === null) m.unpriced_runs += sign;
      else m.cost_usd_sum += sign * run.cost_usd;
    }
  }
}

/**
 * The delta with every level: each finest-level entry is also added to its hour and day entry.
 * Done once per write group, so a run costs one entry update instead of one per level.
 */
export function expandDelta(d: RollupDelta): RollupDelta {
  const out = createRollupDelta();
  const add = <T extends { project_id: number; level_ms: number; bucket_start: number }>(
    into: Map<string, T>, entries: Map<string, T>, levels: readonly number[], idOf: (e: T) => string,
    fresh: (e: T, level: number, bucket: number) => T, merge: (into: T, from: T) => void,
  ) => {
    for (const [key, e] of entries) {
      into.set(key, e);
      for (const level of levels.slice(1)) {
        const bucket = floorTo(e.bucket_start, level);
        const k = `${e.project_id}\u0000${level}\u0000${bucket}\u0000${idOf(e)}`;
        let c = into.get(k);
        if (!c) into.set(k, (c = fresh(e, level, bucket)));
        merge(c, e);
      }
    }
  };
  add(out.agents, d.agents, ROLLUP_LEVELS_MS, (e) => e.agent_name,
    (e, level, bucket) => withKey(emptyAgentStats(), e.project_id, level, e.agent_name, bucket), (c, e) => mergeAgentStats(c, e));
  add(out.tools, d.tools, ROLLUP_LEVELS_MS, (e) => `${e.agent_name}\u0000${e.tool_name}`,
    (e, level, bucket) => Object.assign(withKey(emptyToolStats(), e.project_id, level, e.agent_name, bucket), { tool_name: e.tool_name }),
    (c, e) => mergeToolStats(c, e));
  add(out.models, d.models, MODEL_ROLLUP_LEVELS_MS, (e) => `${e.agent_name}\u0000${e.model}`,
    (e, level, bucket) => Object.assign(withKey(emptyModelStats(), e.project_id, level, e.agent_name, bucket), { model: e.model }),
    (c, e) => mergeModelStats(c, e));
  return out;
}

// ---- Reading: which buckets of which level cover a range ----------------------------------

export interface RollupSegment {
  level_ms: number;
  /** Inclusive bucket start. */
  from: number;
  /** Exclusive bucket start. */
  to: number;
}

/**
 * Rollups count whole buckets of the finest level: `from` is rounded down and `to` up to it.
 * A run at 10:00:45 belongs to minute 10:00, which a range from 10:00:30 includes.
 */
export function alignRange(from: number, to: number, finestMs: number): { from: number; to: number } {
  return { from: floorTo(from, finestMs), to: Math.ceil(to / finestMs) * finestMs };
}

/**
 * Splits [from, to) into the fewest bucket ranges: coarse buckets in the middle, finer ones at
 * the edges. With a step, only levels that fit a whole number of times in a step are used, so
 * each bucket lies inside one step.
 */
export function planSegments(from: number, to: number, levels: readonly number[], stepMs?: number): RollupSegment[] {
  const usable = levels.filter((l) => stepMs === undefined || stepMs % l === 0);
  const out: RollupSegment[] = [];
  const split = (a: number, b: number, i: number): void => {
    if (a >= b) return;
    const level = usable[i]!;
    if (i === 0) {
      out.push({ level_ms: level, from: a, to: b });
      return;
    }
    const A = Math.ceil(a / level) * level;
    const B = floorTo(b, level);
    if (A >= B) {
      split(a, b, i - 1);
      return;
    }
    split(a, A, i - 1);
    out.push({ level_ms: level, from: A, to: B });
    split(B, b, i - 1);
  };
  if (usable.length > 0) {
    const r = alignRange(from, to, usable[0]!);
    split(r.from, r.to, usable.length - 1);
  }
  return out;
}

/** The step a bucket belongs to in a series (or the range start without one). */
export const stepStart = (bucketStart: number, q: RollupQuery): number =>
  q.step_ms === undefined ? q.from : floorTo(bucketStart, q.step_ms);
