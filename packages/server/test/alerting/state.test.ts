// The instance state machine, stepped through time: pending → firing after `for`, firing →
// resolved (after keep_firing_for), resolved kept for its retention, identity by label set.
import { describe, expect, it } from 'vitest';
import { labelKey } from '../../src/alerting/labels.js';
import { RESOLVED_RETENTION_MS, stepAlert, type Observation, type StepTiming } from '../../src/alerting/state.js';
import type { AlertInstance } from '../../src/alerting/types.js';

const T0 = Date.UTC(2026, 10, 20);
const S = 15_000;
const obs: Observation = { labels: { alertname: 'SuccessRateDrop', agent: 'bot', severity: 'critical' }, value: 0.5, annotations: { summary: 's' } };

/** Steps one instance through a sequence of conditions ('1' holds, '0' does not), one interval apart. */
function run(conditions: string, timing: StepTiming): (string | null)[] {
  let prev: AlertInstance | null = null;
  return conditions.split(' ').map((c, i) => {
    prev = stepAlert(prev, c === '1' ? obs : null, T0 + i * S, timing).next;
    return prev?.state ?? null;
  });
}

describe('stepAlert', () => {
  it('fires at once with for: 0s and resolves on the first evaluation without the condition', () => {
    expect(run('1 1 0 0', { forMs: 0, keepFiringForMs: 0 })).toEqual(['firing', 'firing', 'resolved', 'resolved']);
  });

  it('stays pending until for has passed, then fires', () => {
    expect(run('1 1 1 1 0', { forMs: 2 * S, keepFiringForMs: 0 })).toEqual(['pending', 'pending', 'firing', 'firing', 'resolved']);
  });

  it('forgets a pending instance whose condition stops before for, and records it as inactive', () => {
    const first = stepAlert(null, obs, T0, { forMs: 60_000, keepFiringForMs: 0 });
    const gone = stepAlert(first.next, null, T0 + S, { forMs: 60_000, keepFiringForMs: 0 });
    expect(gone.next).toBeNull();
    expect(gone.transition?.state).toBe('inactive');
  });

  it('keeps firing through keep_firing_for after the condition stops', () => {
    expect(run('1 0 0 0 0', { forMs: 0, keepFiringForMs: 2 * S })).toEqual(['firing', 'firing', 'resolved', 'resolved', 'resolved']);
  });

  it('keeps a resolved instance for the retention window, then drops it', () => {
    const fired = stepAlert(null, obs, T0, { forMs: 0, keepFiringForMs: 0 }).next;
    const resolved = stepAlert(fired, null, T0 + S, { forMs: 0, keepFiringForMs: 0 }).next!;
    expect(resolved.resolvedAt).toBe(T0 + S);
    expect(stepAlert(resolved, null, T0 + S + RESOLVED_RETENTION_MS - 1, { forMs: 0, keepFiringForMs: 0 }).next?.state).toBe('resolved');
    expect(stepAlert(resolved, null, T0 + S + RESOLVED_RETENTION_MS, { forMs: 0, keepFiringForMs: 0 }).next).toBeNull();
  });

  it('starts a new episode when a resolved instance becomes true again', () => {
    const fired = stepAlert(null, obs, T0, { forMs: 0, keepFiringForMs: 0 }).next;
    const resolved = stepAlert(fired, null, T0 + S, { forMs: 0, keepFiringForMs: 0 }).next;
    const again = stepAlert(resolved, obs, T0 + 2 * S, { forMs: 0, keepFiringForMs: 0 });
    expect(again.next).toMatchObject({ state: 'firing', activeAt: T0 + 2 * S, resolvedAt: null });
    expect(again.transition?.state).toBe('firing');
  });

  it('reports a transition only when the state changes', () => {
    const fired = stepAlert(null, obs, T0, { forMs: 0, keepFiringForMs: 0 });
    expect(fired.transition?.state).toBe('firing');
    expect(stepAlert(fired.next, { ...obs, value: 0.4 }, T0 + S, { forMs: 0, keepFiringForMs: 0 }).transition).toBeNull();
  });
});

describe('labelKey', () => {
  it('is the same for the same labels in any order and differs when any label differs', () => {
    expect(labelKey({ alertname: 'A', agent: 'x', tool: 't' })).toBe(labelKey({ tool: 't', agent: 'x', alertname: 'A' }));
    expect(labelKey({ alertname: 'A', agent: 'x' })).not.toBe(labelKey({ alertname: 'A', agent: 'y' }));
    expect(labelKey({ alertname: 'A', agent: 'x=1' })).not.toBe(labelKey({ alertname: 'A', 'agent': 'x', '1': '' }));
    expect(labelKey({ alertname: 'A' })).toMatch(/^[0-9a-f]{16}$/);
  });
});
