import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCorpus, loadProfiles, loadPublishedResults, loadReferenceScores, NAB_DIR } from './nab-data.js';
import { optimiseThreshold, rawScoreAt, scaledSigmoid, scoreCorpus, scoringRows } from './scorer.js';
import type { ScoredSeries } from './scorer.js';

// The NAB corpus lives outside the repository (../shared/nab, or NAB_DIR). CI has it; elsewhere
// the suite says that it skipped rather than failing on a missing download.
const haveNab = existsSync(NAB_DIR);
if (!haveNab) {
  if (process.env.CI) throw new Error(`NAB data not found at ${NAB_DIR} (set NAB_DIR)`);
  console.warn(`SKIPPED: NAB scorer tests need the NAB corpus at ${NAB_DIR} (set NAB_DIR to run them)`);
}
const corpus = haveNab ? loadCorpus() : [];
const profiles = haveNab ? loadProfiles() : {};
const published = haveNab ? loadPublishedResults() : {};

function asScored(detector: string): ScoredSeries[] {
  const scores = loadReferenceScores(detector);
  return corpus.map((s) => {
    const col = scores[s.name];
    if (!col || col.length !== s.values.length) throw new Error(`no reference scores for ${s.name}`);
    return { name: s.name, scores: col, windows: s.windows };
  });
}

describe.skipIf(!haveNab)('NAB scorer', () => {
  it('loads the 58 series and 116 windows of the corpus', () => {
    expect(corpus).toHaveLength(58);
    expect(corpus.reduce((n, s) => n + s.windows.length, 0)).toBe(116);
  });

  it('weights an early detection near the full weight and one at the right edge near zero', () => {
    const series: ScoredSeries = { name: 'x', scores: new Array(100).fill(0), windows: [[80, 89]] };
    const { rows } = scoringRows(series);
    // Probation is 15 rows, so row 80 is rows[65].
    expect(rows[65]!.weight).toBeCloseTo(1, 5);
    // At the right edge p = -1/width: 2·sigmoid(0.5) − 1 ≈ 0.245, over the scale 0.987.
    expect(rows[74]!.weight).toBeCloseTo((2 / (1 + Math.exp(-0.5)) - 1) / scaledSigmoid(-1), 9);
    expect(rows[74]!.weight).toBeLessThan(rows[70]!.weight);
    expect(rows[0]!.weight).toBe(-1);
    expect(scaledSigmoid(4)).toBe(-1);
  });

  for (const detector of ['numenta', 'windowedGaussian', 'null']) {
    for (const profile of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']) {
      it(`reproduces the published ${profile} score of ${detector} within 0.5`, () => {
        const result = scoreCorpus(asScored(detector), profiles[profile]!);
        const expected = published[detector]![profile]!;
        expect(Math.abs(result.normalised - expected)).toBeLessThan(0.5);
      });
    }
  }

  it('agrees between the sweep and a direct evaluation at the chosen threshold', () => {
    const series = asScored('numenta');
    const cost = profiles.standard!;
    const pooled = series.flatMap((s, k) => scoringRows(s, k * 100).rows);
    const windows = new Set(pooled.filter((r) => r.window >= 0).map((r) => r.window)).size;
    const { threshold, raw } = optimiseThreshold(pooled, windows, cost);
    expect(rawScoreAt(pooled, windows, cost, threshold)).toBeCloseTo(raw, 9);
  });
});
