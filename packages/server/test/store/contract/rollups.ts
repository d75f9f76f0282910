// Contract section: rollups maintained by writeRuns and read back summed (store/rollup.ts).
// Every engine must count the same: exact counts and sums, a replaced run subtracted, projects
// apart, and quantiles within the sketch's 1%.
import { expect } from 'vitest';
import { sketchQuantile } from '../../../src/store/quantile-sketch.js';
import type { ContractContext } from '../store-contract.js';
import { DAY, HOUR, MINUTE, makeRun, T0 } from './fixtures.js';

const range = { from: T0 - DAY, to: T0 + DAY };

export function rollupContract({ test, fresh }: ContractContext): void {
  test('rollups count written runs by status, with sums and quantiles', async () => {
    const store = await fresh();
    const p = await store.ensureProject('default');
    await store.writeRuns(p.id, [
      makeRun({ run_id: 'a', duration_ms: 100, completion_status: 'success' }),
      makeRun({ run_id: 'b', duration_ms: 200, completion_status: 'error', timestamp: T0 + 5 * MINUTE }),
      makeRun({ run_id: 'c', duration_ms: 400, completion_status: 'success', timestamp: T0 + 2 * HOUR, cost_usd: null }),
    ]);
    const [r] = await store.agentRollups(p.id, range);
    expect(r).toMatchObject({ agent_name: 'support_bot', runs: 3, duration_ms_sum: 700, tokens_used_sum: 4_500, failed_tokens_sum: 1_500, priced_runs: 2, tool_calls: 3 });
    expect(r!.status).toMatchObject({ success: 2, error: 1, timeout: 0 });
    expect(r!.cost_usd_sum).toBeCloseTo(0.0024, 9);
    expect(sketchQuantile(r!.duration_ms, 0.5)).toBeGreaterThanOrEqual(198);
    expect(sketchQuantile(r!.duration_ms, 0.5)).toBeLessThanOrEqual(202);
  });

  test('a re-sent run replaces its old contribution, even in another minute and agent', async () => {
    const store = await fresh();
    const p = await store.ensureProject('default');
    await store.writeRuns(p.id, [makeRun({ run_id: 'a', duration_ms: 100 }), makeRun({ run_id: 'b', duration_ms: 300 })]);
    await store.writeRuns(p.id, [makeRun({ run_id: 'a', agent_name: 'other_bot', timestamp: T0 + 3 * HOUR, duration_ms: 5_000, completion_status: 'timeout' })]);
    const rows = await store.agentRollups(p.id, range);
    const support = rows.find((r) => r.agent_name === 'support_bot')!;
    const other = rows.find((r) => r.agent_name === 'other_bot')!;
    expect(support).toMatchObject({ runs: 1, duration_ms_sum: 300, tool_calls: 1 });
    expect(support.status.success).toBe(1);
    expect(sketchQuantile(support.duration_ms, 0)).toBeCloseTo(300, -1);
    expect(other).toMatchObject({ runs: 1, duration_ms_sum: 5_000 });
    expect(other.status.timeout).toBe(1);
    const tools = await store.toolRollups(p.id, { ...range, agent_name: 'support_bot' });
    expect(tools).toHaveLength(1);
    expect(tools[0]).toMatchObject({ tool_name: 'search_kb', calls: 1, runs_with_tool: 1 });
  });

  test('rollups per step put each run in its step', async () => {
    const store = await fresh();
    const p = await store.ensureProject('default');
    await store.writeRuns(p.id, [
      makeRun({ run_id: 'a', timestamp: T0 + 10 * MINUTE }),
      makeRun({ run_id: 'b', timestamp: T0 + 70 * MINUTE }),
      makeRun({ run_id: 'c', timestamp: T0 + 75 * MINUTE }),
    ]);
    const series = await store.agentRollups(p.id, { from: T0, to: T0 + 3 * HOUR, agent_name: 'support_bot', step_ms: HOUR });
    const byStep = Object.fromEntries(series.map((r) => [r.bucket_start - T0, r.runs]));
    expect(byStep).toEqual({ 0: 1, [HOUR]: 2 });
  });

  test('tool rollups count calls by status and calls that repeat the previous arguments', async () => {
    const store = await fresh();
    const p = await store.ensureProject('default');
    const call = (status: 'success' | 'error' | 'timeout', args: string) =>
      ({ name: 'search_kb', status, duration_ms: 50, started_at: null, call_id: null, args_hash: args, error: null, arguments: null });
    await store.writeRuns(p.id, [makeRun({ run_id: 'a', tool_calls: [call('success', 'x'), call('timeout', 'x'), call('error', 'x'), call('success', 'y')] })]);
    const [t] = await store.toolRollups(p.id, { ...range, agent_name: 'support_bot' });
    expect(t).toMatchObject({ calls: 4, success: 2, errors: 1, timeouts: 1, timed_calls: 4, duration_ms_sum: 200, runs_with_tool: 1, repeated_args_calls: 2 });
  });

  test('model rollups say which runs had no price', async () => {
    const store = await fresh();
    const p = await store.ensureProject('default');
    await store.writeRuns(p.id, [makeRun({ run_id: 'a' }), makeRun({ run_id: 'b', model: 'in-house-llm', cost_usd: null })]);
    const models = await store.modelRollups(p.id, range);
    const byModel = Object.fromEntries(models.map((m) => [m.model, m]));
    expect(byModel['gpt-4o-mini']).toMatchObject({ runs: 1, unpriced_runs: 0 });
    expect(byModel['in-house-llm']).toMatchObject({ runs: 1, unpriced_runs: 1 });
  });

  test('rollups of one project never show in another', async () => {
    const store = await fresh();
    const a = await store.ensureProject('a');
    const b = await store.ensureProject('b');
    await store.writeRuns(a.id, [makeRun({ run_id: 'x' })]);
    expect(await store.agentRollups(b.id, range)).toEqual([]);
    expect(await store.toolRollups(b.id, { ...range, agent_name: 'support_bot' })).toEqual([]);
  });
}
