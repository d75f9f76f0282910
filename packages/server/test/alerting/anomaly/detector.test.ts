import { describe, expect, it } from 'vitest';
import { createDetector, restoreDetector } from '../../../src/alerting/anomaly/detector.js';
import type { AnomalyVerdict, DetectorOptions } from '../../../src/alerting/anomaly/detector.js';
import { MINUTE, T0, minutes, seededNoise } from './series-helpers.js';
import type { Pt } from './series-helpers.js';

function feed(options: DetectorOptions, points: Pt[]): AnomalyVerdict[] {
  const d = createDetector(options);
  return points.map((p) => d.update(p));
}

const anomalousAt = (vs: AnomalyVerdict[]) => vs.flatMap((v, i) => (v.anomalous ? [i] : []));

describe('anomaly detector', () => {
  it('flags a single latency spike and reports its baseline and ratio', () => {
    const noise = seededNoise(1);
    const pts = minutes(0, 300, () => 1800 * (1 + 0.05 * noise()), 20);
    pts.push({ t: T0 + 300 * MINUTE, value: 4100, weight: 20 });
    const vs = feed({ metric: 'p95_latency_ms' }, pts);
    expect(anomalousAt(vs)).toEqual([300]);
    const spike = vs[300]!;
    expect(spike.direction).toBe('up');
    expect(spike.onset).toBe(true);
    expect(spike.expected).toBeGreaterThan(1700);
    expect(spike.expected).toBeLessThan(1900);
    expect(spike.ratio).toBeGreaterThan(2.1);
  });

  it('flags a level shift within five minutes and stays quiet before it', () => {
    const noise = seededNoise(2);
    const pts = minutes(0, 400, (m) => (m < 300 ? 5000 : 8000) * (1 + 0.08 * noise()), 15);
    const vs = feed({ metric: 'tokens_per_run' }, pts);
    const hits = anomalousAt(vs);
    expect(hits.filter((i) => i < 300)).toEqual([]);
    expect(hits[0]).toBeGreaterThanOrEqual(300);
    expect(hits[0]).toBeLessThanOrEqual(305);
  });

  it('ignores changes in the harmless direction of a metric', () => {
    const noise = seededNoise(3);
    const faster = minutes(0, 400, (m) => (m < 300 ? 2000 : 700) * (1 + 0.05 * noise()), 20);
    expect(anomalousAt(feed({ metric: 'p95_latency_ms' }, faster))).toEqual([]);
    const better = minutes(0, 400, (m) => (m < 300 ? 0.8 : 1) - 0.02 * Math.abs(noise()), 50);
    expect(anomalousAt(feed({ metric: 'success_rate' }, better))).toEqual([]);
  });

  it('flags a success-rate drop, direction down', () => {
    const noise = seededNoise(4);
    const pts = minutes(0, 400, (m) => Math.min(1, (m < 300 ? 0.97 : 0.6) + 0.02 * noise()), 40);
    const vs = feed({ metric: 'success_rate' }, pts);
    const first = anomalousAt(vs)[0]!;
    expect(first).toBeGreaterThanOrEqual(300);
    expect(first).toBeLessThanOrEqual(303);
    expect(vs[first]!.direction).toBe('down');
  });

  it('learns a daily peak so the peak on later days is not an anomaly, but a peak at night is', () => {
    const noise = seededNoise(5);
    // Ten days of traffic that triples between 09:00 and 12:00 every day.
    const daily = (m: number) => {
      const hour = (m % 1440) / 60;
      return hour >= 9 && hour < 12 ? 60 : 20;
    };
    const days = minutes(0, 10 * 1440, (m) => Math.max(0, daily(m) + Math.sqrt(daily(m)) * noise()));
    const d = createDetector({ metric: 'volume' });
    const vs = days.map((p) => d.update(p));
    const lastDays = vs.slice(7 * 1440);
    expect(lastDays.filter((v) => v.anomalous)).toEqual([]);
    // The same surge at 02:00 on day 11 is new.
    const night = minutes(10 * 1440 + 120, 30, () => 60).map((p) => d.update(p));
    expect(night.some((v) => v.anomalous && v.direction === 'up')).toBe(true);
    expect(night.find((v) => v.anomalous)!.seasonality).not.toBe('none');
  });

  it('never fires on a quiet agent that runs a few times an hour', () => {
    const noise = seededNoise(6);
    const d = { volume: createDetector({ metric: 'volume' }), success: createDetector({ metric: 'success_rate' }), latency: createDetector({ metric: 'p95_latency_ms' }) };
    let fired = 0;
    for (let m = 0; m < 5 * 1440; m++) {
      const t = T0 + m * MINUTE;
      const runs = noise() > 1.5 ? 1 + (noise() > 1.8 ? 1 : 0) : 0;
      fired += d.volume.update({ t, value: runs, weight: runs }).anomalous ? 1 : 0;
      if (runs === 0) continue;
      // One failed run in two is 50% — on one run it is not evidence of anything.
      fired += d.success.update({ t, value: noise() > 1.2 ? 0 : 1, weight: runs }).anomalous ? 1 : 0;
      fired += d.latency.update({ t, value: 3000 * Math.exp(0.4 * noise()), weight: runs }).anomalous ? 1 : 0;
    }
    expect(fired).toBe(0);
  });

  it('pools points with too few runs and judges them together', () => {
    const d = createDetector({ metric: 'success_rate' });
    const v1 = d.update({ t: T0, value: 1, weight: 3 });
    expect(v1.evidence).toBe('pooling');
    const v2 = d.update({ t: T0 + MINUTE, value: 1, weight: 8 });
    expect(v2.evidence).not.toBe('pooling');
  });

  it('gives the same verdicts after serialize and restore as without a restart', () => {
    const noise = seededNoise(7);
    const pts = minutes(0, 600, (m) => (m < 500 ? 100 : 180) + 5 * noise(), 10);
    const a = createDetector({ metric: 'iterations_per_run' });
    for (const p of pts.slice(0, 450)) a.update(p);
    const saved = JSON.parse(JSON.stringify(a.serialize()));
    const b = restoreDetector(saved);
    for (const p of pts.slice(450)) expect(b.update(p)).toEqual(a.update(p));
  });

  it('keeps its state bounded however long the series', () => {
    const noise = seededNoise(8);
    const d = createDetector({ metric: 'p95_latency_ms' });
    const lengths = () => {
      const s = d.serialize();
      return [s.window.length, s.recent.length, s.seasonal.week.length, s.seasonal.day.length, s.calibration.bins.length, s.meanAbsDev.length];
    };
    for (const p of minutes(0, 2000, () => 1000 + 50 * noise(), 10)) d.update(p);
    const early = lengths();
    for (const p of minutes(2000, 20_000, () => 1000 + 50 * noise(), 10)) d.update(p);
    expect(lengths()).toEqual(early);
    expect(early[0]).toBeLessThanOrEqual(240);
  });

  it('ignores points that arrive out of order', () => {
    const d = createDetector({ metric: 'default' });
    d.update({ t: T0 + MINUTE, value: 1 });
    expect(d.update({ t: T0, value: 1000 }).anomalous).toBe(false);
  });
});
