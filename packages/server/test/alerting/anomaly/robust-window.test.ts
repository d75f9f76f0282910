import { describe, expect, it } from 'vitest';
import { createRobustWindow } from '../../../src/alerting/anomaly/robust-window.js';
import { binomialZ, poissonZ } from '../../../src/alerting/anomaly/counting-tests.js';
import { seededNoise } from './series-helpers.js';

function bruteMedian(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

describe('robust window', () => {
  it('matches a brute-force median and MAD over the last values as it slides', () => {
    const noise = seededNoise(3);
    const w = createRobustWindow(25);
    const all: number[] = [];
    for (let i = 0; i < 200; i++) {
      const v = Math.round(noise() * 10) / 2;
      w.push(v);
      all.push(v);
      const last = all.slice(-25);
      const med = bruteMedian(last);
      expect(w.median()).toBeCloseTo(med, 12);
      expect(w.mad()).toBeCloseTo(bruteMedian(last.map((x) => Math.abs(x - med))), 12);
    }
    expect(w.size).toBe(25);
    expect(w.values()).toEqual(all.slice(-25));
  });

  it('keeps its median when up to half the window is outliers', () => {
    const w = createRobustWindow(21, new Array(11).fill(10));
    for (let i = 0; i < 10; i++) w.push(1e6);
    expect(w.median()).toBe(10);
  });
});

describe('counting tests', () => {
  it('reads zero events against a mean of 16 as about -5.7 sigma', () => {
    expect(poissonZ(0, 16)).toBeCloseTo(-Math.sqrt(32), 9);
    expect(poissonZ(16, 16)).toBe(0);
  });

  it('does not treat one failure in ten calls of a 0.5% tool as a five-sigma event', () => {
    expect(binomialZ(1, 10, 0.005)).toBeLessThan(3);
    expect(binomialZ(10, 40, 0.02)).toBeGreaterThan(5);
  });
});
