// Turns the Vigil detector core's verdicts on one NAB series into NAB's per-row anomaly_score.
// The detector is used exactly as the alert evaluator uses it (metric 'default', one update per
// row); only the mapping to NAB's [0, 1] score column lives here.
import { createDetector } from '../../packages/server/src/alerts/anomaly/index.js';
import type { NabSeries } from './nab-data.js';

export interface AdapterOptions {
  /** Score (noise units) below which a series counts as calm; an episode ends after `calmRows`. */
  calmScore: number;
  calmRows: number;
}

export const DEFAULT_ADAPTER: AdapterOptions = { calmScore: 3, calmRows: 10 };

/** Maps the detector's score (noise units, ≥ 0) onto [0, 1) keeping its order. */
function toUnit(score: number): number {
  return 1 - Math.exp(-score / 10);
}

/**
 * An alerting system reports an episode once (pending → firing), not once per row, while NAB
 * counts every row above its threshold as a detection. So a row reports its score only when it
 * is a new high of the current episode; an episode ends when the series has been calm a while.
 */
export function vigilScores(series: NabSeries, options: AdapterOptions = DEFAULT_ADAPTER): number[] {
  const detector = createDetector({ metric: 'default' });
  const out: number[] = [];
  let episodeMax = 0;
  let calm = 0;
  for (let i = 0; i < series.values.length; i++) {
    const score = detector.update({ t: series.timestampsMs[i]!, value: series.values[i]! }).score;
    calm = score < options.calmScore ? calm + 1 : 0;
    if (calm >= options.calmRows) episodeMax = 0;
    out.push(score > episodeMax ? toUnit(score) : 0);
    episodeMax = Math.max(episodeMax, score);
  }
  return out;
}
