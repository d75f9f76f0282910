// Runs for the contract suite: a complete RunRecord with every field set, overridable.
import type { RunRecord } from '@vigil/protocol';
import type { Store } from '../../../src/store/store.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** 2026-11-20T00:00:00Z: fixed, so tests never depend on today. */
export const T0 = Date.UTC(2026, 10, 20);

export function makeRun(overrides: Partial<RunRecord> = {}): RunRecord {
  const timestamp = overrides.timestamp ?? T0;
  const duration = overrides.duration_ms ?? 1_200;
  return {
    run_id: 'run-1',
    agent_name: 'support_bot',
    timestamp,
    ended_at: timestamp + duration,
    duration_ms: duration,
    iterations: 3,
    tokens_used: 1_500,
    tokens: { input: 1_000, output: 400, cached_input: 50, reasoning: 50 },
    model: 'gpt-4o-mini',
    completion_status: 'success',
    error: null,
    cost_usd: 0.0012,
    environment: 'production',
    release: 'v1.2.3',
    session_id: null,
    user_id: null,
    tags: {},
    tool_calls: [
      { name: 'search_kb', status: 'success', duration_ms: 120, started_at: timestamp + 100, call_id: 'c1', args_hash: 'h1', error: null, arguments: null },
    ],
    steps: [
      {
        model: 'gpt-4o-mini', started_at: timestamp, duration_ms: 500, tokens: { input: 500, output: 200, cached_input: 0, reasoning: 0 },
        finish_reason: 'tool_calls', request_id: 'req_1', error: null, tool_calls_requested: ['search_kb'],
      },
    ],
    transitions: [{ state: 'started', at: timestamp }, { state: 'completed', at: timestamp + duration }],
    sampled: true,
    received_at: timestamp + duration + 5,
    ...overrides,
  };
}

/** A listRuns filter around T0 (±30 days, 100 runs), with overrides. */
export const window = (extra: Partial<Parameters<Store['listRuns']>[1]> = {}) => ({ from: T0 - 30 * DAY, to: T0 + 30 * DAY, limit: 100, ...extra });

/** Every run the filter matches, following next_cursor page by page. */
export async function allPages(store: Store, projectId: number, limit: number, extra: Partial<Parameters<Store['listRuns']>[1]> = {}): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  let cursor = undefined as Parameters<Store['listRuns']>[1]['cursor'];
  for (let i = 0; i < 1_000; i++) {
    const page = await store.listRuns(projectId, window({ limit, cursor, ...extra }));
    out.push(...page.runs);
    if (!page.next_cursor) return out;
    cursor = page.next_cursor;
  }
  throw new Error('paging did not end');
}
