// The rollup sketch: every quantile within 1% of the exact order statistic, exact removal, and
// merges that do not depend on order.
import { describe, expect, it } from 'vitest';
import {
  addEncoded, addValue, decodeSketch, emptySketch, encodeSketch, mergeEncoded, mergeSketch, sketchCount, sketchQuantile, SKETCH_RELATIVE_ACCURACY,
} from '../../src/store/quantile-sketch.js';
import { seededRandom } from '../../../../bench/lib/seeded-random.js';

const exact = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!;

describe('quantile sketch', () => {
  it('answers every quantile within 1% of the exact value, over six orders of magnitude', () => {
    const r = seededRandom(3);
    const values = Array.from({ length: 20_000 }, () => Math.exp(r() * 14) * (r() < 0.01 ? 0 : 1));
    const s = emptySketch();
    for (const v of values) addValue(s, v);
    for (const q of [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1]) {
      const want = exact(values, q);
      expect(Math.abs(sketchQuantile(s, q) - want)).toBeLessThanOrEqual(want * SKETCH_RELATIVE_ACCURACY);
    }
  });

  it('removes a value exactly, leaving the sketch as if it was never added', () => {
    const s = emptySketch();
    for (const v of [5, 10, 20]) addValue(s, v);
    const before = encodeSketch(s);
    addValue(s, 1_000);
    addValue(s, 0);
    addValue(s, 1_000, -1);
    addValue(s, 0, -1);
    expect(encodeSketch(s).equals(before)).toBe(true);
    expect(sketchCount(s)).toBe(3);
  });

  it('merges to the same sketch in any order, through the encoding', () => {
    const r = seededRandom(9);
    const parts = Array.from({ length: 5 }, () => {
      const s = emptySketch();
      for (let i = 0; i < 200; i++) addValue(s, r() * 10_000);
      return s;
    });
    const forward = emptySketch();
    for (const p of parts) mergeEncoded(forward, encodeSketch(p));
    const backward = emptySketch();
    for (const p of [...parts].reverse()) mergeSketch(backward, decodeSketch(encodeSketch(p)));
    expect(encodeSketch(forward).equals(encodeSketch(backward))).toBe(true);
    expect(sketchCount(forward)).toBe(1_000);
  });

  it('adds two encodings into the encoding of their merge, dropping buckets that cancel out', () => {
    const a = emptySketch();
    const b = emptySketch();
    for (const v of [0, 1, 5, 5, 900]) addValue(a, v);
    for (const v of [5, 40, 900_000]) addValue(b, v);
    addValue(b, 1, -1);
    const merged = emptySketch();
    mergeSketch(merged, a);
    mergeSketch(merged, b);
    expect(addEncoded(encodeSketch(a), encodeSketch(b)).equals(encodeSketch(merged))).toBe(true);
    expect(sketchCount(decodeSketch(addEncoded(encodeSketch(a), encodeSketch(b))))).toBe(7);
  });

  it('answers 0 when empty instead of NaN', () => {
    expect(sketchQuantile(emptySketch(), 0.95)).toBe(0);
  });
});
