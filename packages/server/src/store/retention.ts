// Retention: deletes raw runs past their age and rollup rows past theirs, in small batches with a
// turn of the event loop between batches, so ingest never waits more than one batch. Engine-neutral:
// the store deletes, this file decides when and how much. One sweep at a time; the timer is unref'd.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ConfigError } from '../config/config-error.js';
import { parseDuration } from '@vigil/protocol';
import { isPlainObject, rejectUnknownKeys, type VigilConfig } from '../config/vigil-config.js';
import type { RetentionStore } from './store.js';

/** Raw runs are kept this long by default. */
export const DEFAULT_RUNS_RETENTION_MS = 30 * 86_400_000;
/** Rollups (the long-term history behind charts and baselines) are kept this long by default. */
export const DEFAULT_ROLLUPS_RETENTION_MS = 400 * 86_400_000;
/** How often a sweep starts: old data waits at most this long past its age. */
export const RETENTION_INTERVAL_MS = 60_000;
/** Rows per delete: small enough that one batch takes a few milliseconds. */
export const RETENTION_BATCH_SIZE = 1_000;
/** Batches per sweep at most; a backlog is worked off over several sweeps. */
export const RETENTION_MAX_BATCHES_PER_SWEEP = 500;

export interface RetentionConfig {
  /** Age after which raw runs (with tool calls, steps, transitions) are deleted, ms. */
  runsMs: number;
  /** Age after which rollup rows are deleted, ms. */
  rollupsMs: number;
}

/** Parses the `retention:` section (`runs: 30d`, `rollups: 400d`). */
export function parseRetentionConfig(config: VigilConfig): RetentionConfig {
  const out: RetentionConfig = { runsMs: DEFAULT_RUNS_RETENTION_MS, rollupsMs: DEFAULT_ROLLUPS_RETENTION_MS };
  const raw = config.sections.retention;
  if (raw === undefined || raw === null) return out;
  const src = config.source;
  const fail = (path: string[], message: string): never => {
    throw new ConfigError(src?.file ?? 'vigil.yaml', path.join('.'), message, src?.lineOf(path));
  };
  if (!isPlainObject(raw)) fail(['retention'], 'must be a mapping such as { runs: 30d, rollups: 400d }');
  const section = raw as Record<string, unknown>;
  if (src) rejectUnknownKeys(src, ['retention'], section, ['runs', 'rollups']);
  for (const [key, field] of [['runs', 'runsMs'], ['rollups', 'rollupsMs']] as const) {
    const v = section[key];
    if (v === undefined) continue;
    const ms = typeof v === 'string' ? parseDuration(v) : undefined;
    if (ms === undefined || ms < 3_600_000) fail(['retention', key], 'must be a duration of at least 1h, such as 30d');
    out[field] = ms!;
  }
  if (out.rollupsMs < out.runsMs) fail(['retention', 'rollups'], 'must be at least as long as retention.runs');
  return out;
}

export interface RetentionSweepResult {
  runs: number;
  rollups: number;
}

export interface RetentionWorker {
  /** One sweep now (tests call it with their own clock); resolves with what was deleted. */
  sweep(): Promise<RetentionSweepResult>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

export function createRetentionWorker(opts: {
  store: RetentionStore;
  config: RetentionConfig;
  now: () => number;
  /** Start the periodic timer (the server does; tests call sweep()). */
  schedule?: boolean;
  batchSize?: number;
  onSwept?: (result: RetentionSweepResult) => void;
  onError?: (error: unknown) => void;
}): RetentionWorker {
  const batchSize = opts.batchSize ?? RETENTION_BATCH_SIZE;
  let running: Promise<RetentionSweepResult> | null = null;

  async function drain(del: (before: number, limit: number) => Promise<number>, before: number): Promise<number> {
    let total = 0;
    for (let i = 0; i < RETENTION_MAX_BATCHES_PER_SWEEP; i++) {
      const n = await del(before, batchSize);
      total += n;
      if (n < batchSize) break;
      await yieldToEventLoop();
    }
    return total;
  }

  const sweep = (): Promise<RetentionSweepResult> => {
    running ??= (async () => {
      try {
        const t = opts.now();
        const runs = await drain((b, l) => opts.store.deleteRunsBefore(b, l), t - opts.config.runsMs);
        const rollups = await drain((b, l) => opts.store.deleteRollupsBefore(b, l), t - opts.config.rollupsMs);
        const result = { runs, rollups };
        opts.onSwept?.(result);
        return result;
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const timer = opts.schedule
    ? setInterval(() => {
        sweep().catch((e: unknown) => opts.onError?.(e));
      }, RETENTION_INTERVAL_MS)
    : null;
  timer?.unref();

  return {
    sweep,
    async stop() {
      if (timer) clearInterval(timer);
      if (running) await running.catch(() => undefined);
    },
  };
}
