import { describe, expect, it } from 'vitest';
import { DEFAULT_ADAPTER, reportedScores } from './vigil-scores.js';

const options = { ...DEFAULT_ADAPTER, settleRows: 0 };

function reportedRows(raw: number[]): number[] {
  return reportedScores(raw, options).flatMap((s, i) => (s > 0 ? [i] : []));
}

/** 2,000 rows of score 1 with `episodes` placed at the given rows. */
function scores(episodes: Record<number, number[]>): number[] {
  const raw = new Array<number>(2000).fill(1);
  for (const [at, values] of Object.entries(episodes)) values.forEach((v, k) => (raw[Number(at) + k] = v));
  return raw;
}

describe('NAB adapter reporting rule', () => {
  it('reports an episode that rises slowly once, at its onset', () => {
    const ramp = Array.from({ length: 40 }, (_, k) => 5 + k * 0.25);
    expect(reportedRows(scores({ 500: ramp })).filter((i) => i >= 500)).toEqual([500]);
  });

  it('reports again within the refractory period when the episode becomes three times worse', () => {
    expect(reportedRows(scores({ 500: [5, 6, 7, 20] })).filter((i) => i >= 500)).toEqual([500, 503]);
  });

  it('does not let a large episode peak hide a smaller episode that comes later', () => {
    // Onset 6, peak 17 (never 3x the onset, so not reported); the next episode (10) only has to
    // beat the onset.
    const rows = reportedRows(scores({ 500: [6, 12, 17, 17, 12], 900: [10] }));
    expect(rows).toEqual(expect.arrayContaining([500, 900]));
    expect(rows).not.toContain(502);
  });

  it('holds back a spike no larger than one of the previous 1,200 ordinary rows', () => {
    const rows = reportedRows(scores({ 300: [8], 1000: [7] }));
    expect(rows).toContain(300);
    expect(rows).not.toContain(1000);
  });
});
