import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/index.js';

describe('durations', () => {
  it("reads Prometheus's notation, compound ones included", () => {
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1w')).toBe(604_800_000);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration(' 5m ')).toBe(300_000);
  });

  it('returns undefined for anything else, so callers can name the field', () => {
    for (const bad of ['', '5', '2 days', '-5m', '1.5h', 'm']) expect(parseDuration(bad), bad).toBeUndefined();
  });

  it('writes durations back in the largest units, round-tripping', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(90_061_001)).toBe('1d1h1m1s1ms');
    for (const text of ['15s', '4h', '1d', '2h5m']) expect(formatDuration(parseDuration(text)!)).toBe(text);
  });
});
