// One agent metric as the fleet detector sees it: the per-series core (detector.ts) for minutes
// to hours, the long horizons (long-horizon.ts) for days and weeks, and whether the series is
// "hot" now and for how long. Hot means the latest judged evidence is anomalous in the watched
// direction AND the minute itself still deviates: the core's short means keep a blip in view
// for a few minutes after it ended, and that tail must not count as persistence.
import { createDetector, restoreDetector, SENSITIVITY_THRESHOLDS } from './detector.js';
import type { AnomalyDetector, AnomalyVerdict, DetectorState, Sensitivity } from './detector.js';
import { emptyLongHorizon, LONG_MIN_RELATIVE_CHANGE, updateLongHorizon } from './long-horizon.js';
import type { LongHorizonState } from './long-horizon.js';
import { metricProfile } from './metrics.js';
import type { MetricProfile } from './metrics.js';
import { explainAnomaly } from './explain.js';

const MINUTE_MS = 60_000;
/** A hot verdict stops holding when no new evidence came for this long (an agent went quiet). */
export const HOT_STALE_MS = 15 * 60_000;
/** The minute itself must deviate by this share of the metric's materiality to keep a streak going. */
const STILL_DEVIATES_SHARE = 0.5;

/** Heavy per-series state: stored in slices by the alert rule. */
export interface SeriesState {
  core: DetectorState;
  long: LongHorizonState | null;
}

/** Light per-series tracking: stored every cycle with the incidents. */
export interface SeriesTrack {
  lastJudgedT: number | null;
  hot: boolean;
  /** Start of the evidence behind the current hot streak. */
  hotSinceT: number;
  lastHotT: number;
  direction: 'up' | 'down';
  /** The strongest single-minute score of the streak, in units of the sensitivity threshold. */
  peak: number;
  /** The latest hot evidence, for the incident's wording and annotations. */
  evidence: SignalEvidence | null;
}

export interface SignalEvidence {
  horizon: 'minutes' | 'days';
  observed: number;
  expected: number;
  ratio: number;
  score: number;
  explanation: string;
}

export interface SeriesSignal {
  metric: string;
  hot: boolean;
  /** Hot for long enough (the metric's duration), or extreme. */
  confirmed: boolean;
  direction: 'up' | 'down';
}

export interface Series {
  readonly metric: string;
  readonly detector: AnomalyDetector;
  long: LongHorizonState | null;
  track: SeriesTrack;
  serialize(): SeriesState;
}

export function emptyTrack(): SeriesTrack {
  return { lastJudgedT: null, hot: false, hotSinceT: 0, lastHotT: 0, direction: 'up', peak: 0, evidence: null };
}

export function createSeries(metric: string, sensitivity: Sensitivity, tzOffsetMinutes: number, saved?: SeriesState, track?: SeriesTrack): Series {
  const profile = metricProfile(metric);
  const detector = saved ? restoreDetector(saved.core) : createDetector({ metric, sensitivity, tzOffsetMinutes });
  const series: Series = {
    metric,
    detector,
    long: saved?.long ?? (profile.noise === 'positive' ? emptyLongHorizon() : null),
    track: track ?? emptyTrack(),
    serialize: () => ({ core: detector.serialize(), long: series.long === null ? null : structuredClone(series.long) }),
  };
  return series;
}

/** Whether `value` itself is off `expected` in the bad direction by part of the metric's materiality. */
function stillDeviates(profile: MetricProfile, value: number, expected: number, direction: 'up' | 'down'): boolean {
  const sign = direction === 'up' ? 1 : -1;
  const diff = sign * (value - expected);
  if (diff <= 0) return false;
  if (profile.minAbsoluteChange > 0) return diff >= STILL_DEVIATES_SHARE * profile.minAbsoluteChange;
  if (profile.minRelativeChange > 0 && expected > 0) return diff / expected >= STILL_DEVIATES_SHARE * profile.minRelativeChange;
  return true;
}

function watchedScore(profile: MetricProfile, score: number): number {
  return profile.direction === 'up' ? score : profile.direction === 'down' ? -score : Math.abs(score);
}

function daysText(profile: MetricProfile, v: { observed: number; expected: number; ratio: number }, days: number): string {
  const when = days === 7 ? 'the same hours on this weekday last week' : 'the same hours yesterday';
  const rel = v.ratio >= 1 ? `${v.ratio.toFixed(1)}x` : `${Math.round((1 - v.ratio) * 100)}% below`;
  return `${profile.label} ${profile.format(v.observed)} over the last two hours, ${rel} ${when} (${profile.format(v.expected)})`;
}

/**
 * Feeds one minute and updates the series' hot streak. `minDurationMs`: how long a streak must
 * last before it is confirmed; `extremeFactor`: a single minute this many thresholds out is
 * confirmed at once.
 */
export function feedSeries(
  series: Series, t: number, value: number, weight: number,
  opts: { sensitivity: Sensitivity; tzOffsetMinutes: number; minDurationMs: number; extremeFactor: number; judge: boolean },
): SeriesSignal {
  const profile = metricProfile(series.metric);
  const threshold = SENSITIVITY_THRESHOLDS[opts.sensitivity];
  const v: AnomalyVerdict = series.detector.update({ t, value, weight });
  const lv = series.long ? updateLongHorizon(series.long, t, opts.tzOffsetMinutes, value, weight, !v.anomalous) : null;
  const tr = series.track;
  if (!opts.judge) return { metric: series.metric, hot: tr.hot, confirmed: false, direction: tr.direction };

  const coreJudged = v.evidence === 'ok';
  const coreHot = coreJudged && v.anomalous && stillDeviates(profile, v.points === 1 ? v.observed : value, v.expected, v.direction);
  const longScore = lv && lv.judged ? watchedScore(profile, lv.score) : 0;
  // The two-hour mean remembers a short incident for two hours after it ended: the minute itself
  // must still be off the day/week baseline too.
  const longHot = lv !== null && lv.judged && longScore >= threshold && Math.abs(lv.ratio - 1) >= LONG_MIN_RELATIVE_CHANGE &&
    stillDeviates(profile, value, lv.expected, lv.score >= 0 ? 'up' : 'down');
  const judged = coreJudged || (lv !== null && lv.judged);

  if (coreHot || longHot) {
    const direction: 'up' | 'down' = coreHot ? v.direction : lv!.score >= 0 ? 'up' : 'down';
    if (!tr.hot || tr.direction !== direction) {
      // The streak's evidence starts right after the last judged minute that was not hot (a
      // pooled verdict of a quiet agent stands for all the minutes pooled into it).
      tr.hotSinceT = Math.max(tr.lastJudgedT === null ? t : tr.lastJudgedT + MINUTE_MS, t - 30 * MINUTE_MS);
      tr.peak = 0;
    }
    tr.hot = true;
    tr.direction = direction;
    tr.lastHotT = t;
    const minuteScore = coreHot && v.points === 1 ? v.score / threshold : 0;
    tr.peak = Math.max(tr.peak, minuteScore);
    tr.evidence = coreHot
      ? { horizon: 'minutes', observed: v.observed, expected: v.expected, ratio: v.ratio, score: v.score, explanation: explainAnomaly(v) }
      : { horizon: 'days', observed: lv!.observed, expected: lv!.expected, ratio: lv!.ratio, score: longScore, explanation: daysText(profile, lv!, lv!.baselineDays) };
  } else if (judged || (tr.hot && t - tr.lastHotT > HOT_STALE_MS)) {
    tr.hot = false;
  }
  if (judged) tr.lastJudgedT = t;
  const lasted = t + MINUTE_MS - tr.hotSinceT >= opts.minDurationMs;
  const confirmed = tr.hot && (lasted || tr.peak >= opts.extremeFactor);
  return { metric: series.metric, hot: tr.hot, confirmed, direction: tr.direction };
}
