// A small, fast cut of the agent-incident benchmark that asserts the goals. The full run is
// `npm run agent-incidents -w bench`.
import { describe, expect, it } from 'vitest';
import { measureTickCost, runSuite } from './suite.js';

describe('agent incidents (small fleet)', () => {
  const r = runSuite({ seed: 1, incidentAgents: 12, cleanAgents: 6, learnDays: 8, evalDays: 3, sensitivity: 'medium' });

  it('detects at least ten of the twelve incidents here (the full run measures recall)', () => {
    expect(r.incidents.filter((i) => i.detected).length).toBeGreaterThanOrEqual(10);
  });

  it('detects every level shift, with a median delay of at most five minutes', () => {
    const shifts = r.incidents.filter((i) => i.kind === 'latency_shift' || i.kind === 'token_bloat');
    expect(shifts.every((i) => i.detected)).toBe(true);
    expect(r.medianLevelShiftDelayMinutes).not.toBeNull();
    expect(r.medianLevelShiftDelayMinutes!).toBeLessThanOrEqual(5);
  });

  it('raises at most one false alert per agent-week on clean agents', () => {
    expect(r.falseAlertsPerAgentWeek).toBeLessThanOrEqual(1);
  });

  it('updates 1,000 agents x 8 metrics within a second per tick', () => {
    const cost = measureTickCost(1000, 40, 2);
    expect(cost.series).toBe(8000);
    expect(cost.maxTickMs).toBeLessThan(1000);
  });
});
