// Per-agent baselines (the `baseline` span before a rule's window) from the rollups' sketches, to
// the minute, kept between cycles. Each cycle moves a kept baseline forward by the minutes that
// entered and left its span (two one-minute reads, usually) instead of re-reading the span; an
// agent whose history inside a span changed (runs that arrived with start times before the
// window: a backfill, a late or re-sent run) is read again whole, so a baseline is never stale.
import { mergeSketch, sketchCount, sketchQuantile, emptySketch, type QuantileSketch } from '../store/quantile-sketch.js';
import { MINUTE_MS, type AgentRollup } from '../store/rollup.js';
import type { RollupReader } from '../store/store.js';
import { baselineKey, type AgentBaseline } from './alert-data.js';

/**
 * A kept baseline is read whole again after this long anyway: rollup rows that changed without a
 * run the evaluator saw arrive (retention, an engine whose new-run reads can miss a late commit)
 * leave it then.
 */
export const BASELINE_FULL_READ_EVERY_MS = 3_600_000;
/** More changed agents than this in one cycle are re-read in one query for all agents. */
export const BASELINE_MAX_AGENT_READS = 20;

interface AgentSums {
  duration: QuantileSketch;
  tokens: QuantileSketch;
}

interface Kept {
  /** The span's end, a whole minute: the minute before the one the window starts in. */
  to: number;
  spanMs: number;
  readAt: number;
  agents: Map<string, AgentSums>;
  /** Agents whose history changed since the last read; `all` after a change not tied to agents. */
  dirty: Set<string> | 'all';
  /** The figures last handed out, rebuilt only for agents that changed. */
  figures: Map<string, AgentBaseline>;
}

export interface BaselineCache {
  /** Runs of a project written since the last cycle: the agents whose kept spans they fall in are read again. */
  changed(projectId: number, runs: Iterable<{ agent_name: string; ts: number }>): void;
  /** Everything of a project may have changed (a whole read of its window). */
  changedAll(projectId: number): void;
  /** Agent → baseline over `spanMs` preceding the window that starts at now − windowMs. */
  get(projectId: number, now: number, spanMs: number, windowMs: number): Promise<Map<string, AgentBaseline>>;
}

const sumsOf = (r: AgentRollup): AgentSums => ({ duration: r.duration_ms, tokens: r.tokens_used });

function figuresOf(s: AgentSums): AgentBaseline | null {
  const runs = sketchCount(s.duration);
  if (runs <= 0) return null;
  return {
    runs,
    p95DurationMs: sketchQuantile(s.duration, 0.95),
    medianTokens: sketchCount(s.tokens) > 0 ? sketchQuantile(s.tokens, 0.5) : null,
  };
}

export function createBaselineCache(store: Pick<RollupReader, 'agentRollups'>): BaselineCache {
  const kept = new Map<string, Kept>();
  const keyOf = (projectId: number, spanMs: number, windowMs: number) => `${projectId}/${baselineKey(spanMs, windowMs)}`;
  const ofProject = (projectId: number) => [...kept].filter(([k]) => k.startsWith(`${projectId}/`)).map(([, v]) => v);

  async function readWhole(projectId: number, from: number, to: number, agent?: string): Promise<AgentRollup[]> {
    return store.agentRollups(projectId, agent === undefined ? { from, to } : { from, to, agent_name: agent });
  }

  async function fresh(projectId: number, now: number, spanMs: number, to: number): Promise<Kept> {
    const agents = new Map<string, AgentSums>();
    for (const r of await readWhole(projectId, to - spanMs, to)) agents.set(r.agent_name, sumsOf(r));
    const figures = new Map<string, AgentBaseline>();
    for (const [name, s] of agents) {
      const f = figuresOf(s);
      if (f) figures.set(name, f);
    }
    return { to, spanMs, readAt: now, agents, dirty: new Set(), figures };
  }

  /** Adds (sign 1) or removes (sign -1) the rows of [from, to) for every agent, noting the agents touched. */
  async function shift(projectId: number, k: Kept, from: number, to: number, sign: 1 | -1, touched: Set<string>): Promise<void> {
    if (to <= from) return;
    for (const r of await readWhole(projectId, from, to)) {
      let s = k.agents.get(r.agent_name);
      if (!s) k.agents.set(r.agent_name, (s = { duration: emptySketch(), tokens: emptySketch() }));
      mergeSketch(s.duration, r.duration_ms, sign);
      mergeSketch(s.tokens, r.tokens_used, sign);
      touched.add(r.agent_name);
    }
  }

  return {
    changed(projectId, runs) {
      for (const k of ofProject(projectId)) {
        if (k.dirty === 'all') continue;
        // A run before the span's end changes it, or a minute it will later subtract as it leaves;
        // one after it is read when its minute enters the span.
        for (const r of runs) if (r.ts < k.to) k.dirty.add(r.agent_name);
      }
    },
    changedAll(projectId) {
      for (const k of ofProject(projectId)) k.dirty = 'all';
    },
    async get(projectId, now, spanMs, windowMs) {
      const key = keyOf(projectId, spanMs, windowMs);
      const to = Math.floor((now - windowMs) / MINUTE_MS) * MINUTE_MS;
      let k = kept.get(key);
      if (!k || k.dirty === 'all' || to < k.to || to - k.to >= spanMs || now - k.readAt >= BASELINE_FULL_READ_EVERY_MS ||
        k.dirty.size > BASELINE_MAX_AGENT_READS) {
        k = await fresh(projectId, now, spanMs, to);
        kept.set(key, k);
        return k.figures;
      }
      const touched = new Set<string>();
      const dirty = k.dirty;
      k.dirty = new Set();
      if (to > k.to) {
        // The minutes that entered the span at its end and left it at its start.
        await shift(projectId, k, k.to, to, 1, touched);
        await shift(projectId, k, k.to - spanMs, to - spanMs, -1, touched);
        k.to = to;
      }
      for (const agent of dirty) {
        const [row] = await readWhole(projectId, to - spanMs, to, agent);
        if (row) k.agents.set(agent, sumsOf(row));
        else k.agents.delete(agent);
        touched.add(agent);
      }
      for (const agent of touched) {
        const s = k.agents.get(agent);
        const f = s ? figuresOf(s) : null;
        if (f) k.figures.set(agent, f);
        else {
          k.figures.delete(agent);
          if (s && sketchCount(s.duration) <= 0) k.agents.delete(agent);
        }
      }
      return k.figures;
    },
  };
}
