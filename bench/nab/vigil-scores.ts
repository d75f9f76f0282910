// Turns the Vigil detector core's verdicts on one NAB series into NAB's per-row anomaly_score.
// The detector is used as the alert evaluator uses it (metric 'default', one update per row);
// only the mapping to NAB's [0, 1] score column lives here.
import { createDetector } from '../../packages/server/src/alerting/anomaly/index.js';
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
  /**
   * Rows within this many rows after a reported row that are not reported themselves do not
   * raise the bar of later rows: the bar is set by ordinary rows and by reported onsets, so a
   * huge incident's peak does not hide the next, smaller incident for `holdRows` rows.
   */
  aftermathRows: number;
}

export const DEFAULT_ADAPTER: AdapterOptions = { holdRows: 1200, settleRows: 150, refractoryRows: 50, refractoryFactor: 3, aftermathRows: 100 };

/** Maps the detector's score (noise units, ≥ 0) onto [0, 1) keeping its order. */
function toUnit(score: number): number {
  return score / (1 + score);
}

/**
 * An alerting system reports an episode once, not once per row, while NAB counts every row at
 * or above its threshold as a detection. So a row keeps its score only when it is the highest
 * of the last `holdRows` rows (the onset of an episode, or an episode that gets worse) and, within
 * `refractoryRows` of the last reported row, only when it is much worse than that one. The rest
 * of a reported episode (`aftermathRows`) does not count towards the bar.
 * Causal and label-blind: one setting for the whole corpus.
 */
export function vigilScores(series: NabSeries, options: AdapterOptions = DEFAULT_ADAPTER): number[] {
  const detector = createDetector({ metric: 'default' });
  return reportedScores(
    series.values.map((value, i) => detector.update({ t: series.timestampsMs[i]!, value }).rawScore),
    options,
  );
}

/** The reporting rule above over a series of raw scores: reported rows keep toUnit(score), others 0. */
export function reportedScores(rawScores: readonly number[], options: AdapterOptions = DEFAULT_ADAPTER): number[] {
  const raw = [...rawScores];
  for (let i = 0; i < Math.min(options.settleRows, raw.length); i++) raw[i] = 0;
  // Sliding-window maximum of the bar values with a monotonic deque: O(n) whatever holdRows is.
  const bar: number[] = [];
  const out: number[] = [];
  const deque: number[] = [];
  let lastReported = -Infinity;
  let lastReportedScore = 0;
  for (let i = 0; i < raw.length; i++) {
    while (deque.length && deque[0]! < i - options.holdRows) deque.shift();
    const recentMax = deque.length ? bar[deque[0]!]! : 0;
    let reported = raw[i]! > recentMax;
    if (reported && i - lastReported <= options.refractoryRows && raw[i]! < options.refractoryFactor * lastReportedScore) reported = false;
    if (reported) {
      lastReported = i;
      lastReportedScore = raw[i]!;
    }
    out.push(reported ? toUnit(raw[i]!) : 0);
    bar.push(!reported && i - lastReported <= options.aftermathRows ? 0 : raw[i]!);
    while (deque.length && bar[deque[deque.length - 1]!]! <= bar[i]!) deque.pop();
    deque.push(i);
  }
  return out;
}
