import { describe, expect, it } from 'vitest';
import { explainAnomaly } from '../../../src/alerting/anomaly/explain.js';
import type { AnomalyVerdict } from '../../../src/alerting/anomaly/detector.js';
import { createDetector } from '../../../src/alerting/anomaly/detector.js';
import { T0, MINUTE, minutes, seededNoise } from './series-helpers.js';

const base: AnomalyVerdict = {
  t: 0, metric: 'p95_latency_ms', observed: 4100, points: 1, expected: 1800, ratio: 4100 / 1800, score: 9, rawScore: 9,
  direction: 'up', anomalous: true, onset: true, evidence: 'ok', seasonality: 'hour_of_week', bucket: { dayOfWeek: 2, hour: 14 }, noise: 90,
};

describe('explainAnomaly', () => {
  it('says the value, the ratio and the seasonal baseline it was compared with', () => {
    expect(explainAnomaly(base)).toBe('p95 latency 4.1 s, 2.3x its usual 1.8 s for Tuesdays 14:00');
  });

  it('reads rates as before and after, and names an hour-of-day baseline', () => {
    const v = { ...base, metric: 'success_rate', observed: 0.71, expected: 0.97, ratio: 0.71 / 0.97, direction: 'down' as const, seasonality: 'hour_of_day' as const };
    expect(explainAnomaly(v)).toBe('success rate 71%, usually 97% for 14:00');
  });

  it('reads a drop as a percentage below the usual', () => {
    const v = { ...base, metric: 'volume', observed: 0, expected: 12, ratio: 0, seasonality: 'none' as const, points: 16 };
    expect(explainAnomaly(v)).toBe('run volume 0 runs/min over the last 16 points, usually 12 runs/min');
  });

  it('explains a verdict produced by the detector itself', () => {
    const noise = seededNoise(9);
    const d = createDetector({ metric: 'tokens_per_run' });
    for (const p of minutes(0, 300, () => 2000 * (1 + 0.05 * noise()), 10)) d.update(p);
    const v = d.update({ t: T0 + 300 * MINUTE, value: 9000, weight: 10 });
    expect(v.anomalous).toBe(true);
    expect(explainAnomaly(v)).toMatch(/^tokens per run 9,000 tokens, 4\.\dx its usual 2,0\d\d tokens/);
  });
});
