// Turns the Vigil detector core's verdicts on one NAB series into NAB's per-row anomaly_score.
// The detector is used as the alert evaluator uses it (metric 'default', one update per row);
// only the mapping to NAB's [0, 1] score column lives here.
import { createDetector } from '../../packages/server/src/alerts/anomaly/index.js';
import type { NabSeries } from './nab-data.js';

export interface AdapterOptions {
  /** A row is reported only if its score beats every score of the previous `holdRows` rows. */
  holdRows: number;
  /** Rows at the start whose scores (from a baseline of a few points) never hold later rows back. */
  settleRows: number;
  /**
   * After a row is reported, rows within this many rows are not reported again unless their
   * score is `refractoryFactor` times the last reported one: an episode that keeps getting a
   * little worse is one alert, not one per row.
   */
  refractoryRows: number;
  refractoryFactor: number;
}

export const DEFAULT_ADAPTER: AdapterOptions = { holdRows: 1200, settleRows: 150, refractoryRows: 50, refractoryFactor: 3 };

/** Maps the detector's score (noise units, ≥ 0) onto [0, 1) keeping its order. */
function toUnit(score: number): number {
  return score / (1 + score);
}

/**
 * An alerting system reports an episode once, not once per row, while NAB counts every row at
 * or above its threshold as a detection. So a row keeps its score only when it is the highest
 * of the last `holdRows` rows (the onset of an episode, or an episode that gets worse) and, within
 * `refractoryRows` of the last reported row, only when it is much worse than that one.
 * Causal and label-blind: one setting for the whole corpus.
 */
export function vigilScores(series: NabSeries, options: AdapterOptions = DEFAULT_ADAPTER): number[] {
  const detector = createDetector({ metric: 'default' });
  const raw = series.values.map((value, i) => detector.update({ t: series.timestampsMs[i]!, value }).rawScore);
  for (let i = 0; i < Math.min(options.settleRows, raw.length); i++) raw[i] = 0;
  // Sliding-window maximum with a monotonic deque: O(n) whatever holdRows is.
  const out: number[] = [];
  const deque: number[] = [];
  let lastReported = -Infinity;
  let lastReportedScore = 0;
  for (let i = 0; i < raw.length; i++) {
    while (deque.length && deque[0]! < i - options.holdRows) deque.shift();
    const recentMax = deque.length ? raw[deque[0]!]! : 0;
    let reported = raw[i]! > recentMax;
    if (reported && i - lastReported <= options.refractoryRows && raw[i]! < options.refractoryFactor * lastReportedScore) reported = false;
    if (reported) {
      lastReported = i;
      lastReportedScore = raw[i]!;
    }
    out.push(reported ? toUnit(raw[i]!) : 0);
    while (deque.length && raw[deque[deque.length - 1]!]! <= raw[i]!) deque.pop();
    deque.push(i);
  }
  return out;
}
