// Fills a rule snapshot (AlertData) from the store, once per cycle and project: raw runs with tool
// calls for the longest rule window (kept between cycles; only new arrivals are read), the agents'
// declared config, and baselines from the rollups (quantile sketches, baseline-cache.ts), so a 24h
// p95 never scans raw runs.
import type { RunFact, RunReader, RollupReader, RunFactReader } from '../store/store.js';
import { baselineKey, createAlertData, type AgentBaseline, type AgentFact, type AlertData } from './alert-data.js';
import { createBaselineCache } from './baseline-cache.js';
import type { RuleNeeds } from './rule.js';

/**
 * The window's runs are read whole once; later cycles read only the runs written since the last
 * read. Where the store has a write position (SQLite) that is exact. Elsewhere (PostgreSQL) it is
 * the runs received since the last read, less this overlap, which covers requests still
 * committing when it ran (received_at is stamped before the commit, and a stalled database can
 * hold a commit for seconds) and replicas whose clocks (they stamp received_at) run behind; runs
 * re-read replace their copy by run_id. Every run of the overlap is read again each cycle;
 * anything it still misses is caught by the next whole read.
 */
export const RECEIVED_OVERLAP_MS = 30_000;
/**
 * How often the window is read whole again anyway: a run removed from the store (an OTLP trace
 * re-assembled under other run ids) leaves the kept window only then, or when it ages out.
 */
export const FULL_READ_EVERY_MS = 5 * 60_000;
/**
 * Runs that start this far ahead of the server's clock (a client clock off, microseconds sent as
 * milliseconds) are left out until the clock nears them, so they cannot pile up in the window.
 */
export const FUTURE_SLACK_MS = 3_600_000;

/** Loads one project's snapshot at `now` for rules with these needs. */
export type AlertQuery = (projectId: number, now: number, needs: readonly RuleNeeds[]) => Promise<AlertData>;

interface KeptWindow {
  windowMs: number;
  readAt: number;
  /** The store's write position when the last read began; null if it has none. */
  writtenFrom: number | null;
  fullReadAt: number;
  runs: Map<string, RunFact>;
}

export function createAlertQuery(store: RunReader & RollupReader & RunFactReader): AlertQuery {
  const baselines = createBaselineCache(store);
  const windows = new Map<number, KeptWindow>();

  /**
   * The project's runs that started in [now - windowMs, now). Reading the whole window every
   * cycle cost time in proportion to the ingest rate (0.5 s per cycle at 100k runs in the
   * window, on the event loop); reading what arrived since costs the runs of one interval.
   */
  async function windowRuns(projectId: number, now: number, windowMs: number): Promise<RunFact[]> {
    const from = now - windowMs;
    // Runs starting a little ahead of the server's clock are kept until it catches up.
    const to = now + FUTURE_SLACK_MS;
    let w = windows.get(projectId);
    // Taken before reading: what commits during the read is read again next time.
    const writtenFrom = await store.runWritePosition();
    // A write position that went back (the newest runs deleted) no longer says what is new, and
    // what it dropped must leave the window: read whole.
    const positionBack = writtenFrom !== null && w?.writtenFrom != null && writtenFrom < w.writtenFrom;
    if (!w || w.windowMs !== windowMs || now < w.readAt || now - w.fullReadAt >= FULL_READ_EVERY_MS || positionBack) {
      const runs = await store.listRunFacts(projectId, { from, to, toolCalls: true });
      w = { windowMs, readAt: now, writtenFrom, fullReadAt: now, runs: new Map(runs.map((r) => [r.run_id, r])) };
      windows.set(projectId, w);
      // What arrived since the last read is not known: every baseline is read again.
      baselines.changedAll(projectId);
    } else {
      // From any start time: a run re-sent with an older start leaves the window by replacement.
      const since = w.writtenFrom !== null ? { writtenFrom: w.writtenFrom } : { receivedSince: w.readAt - RECEIVED_OVERLAP_MS };
      const fresh = await store.listRunFacts(projectId, { from: 0, to, toolCalls: true, ...since });
      for (const r of fresh) w.runs.set(r.run_id, r);
      baselines.changed(projectId, fresh);
      w.readAt = now;
      w.writtenFrom = writtenFrom;
    }
    const out: RunFact[] = [];
    for (const [id, r] of w.runs) {
      if (r.ts < from) w.runs.delete(id);
      else if (r.ts < now) out.push(r);
    }
    return out;
  }

  return async (projectId, now, needs) => {
    const windowMs = Math.max(0, ...needs.map((n) => n.windowMs));
    const [runs, agentRecords] = await Promise.all([
      windowMs > 0 ? windowRuns(projectId, now, windowMs) : Promise.resolve([]),
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
    for (const [k, b] of wanted) loaded.set(k, await baselines.get(projectId, now, b.spanMs, b.windowMs));
    return createAlertData({ now, runs, agents, baselines: loaded });
  };
}
