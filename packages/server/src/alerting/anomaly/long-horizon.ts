// The long horizons of one magnitude series (latency, tokens, iterations): the last two hours
// compared with the same hours yesterday and on the same weekday last week. The per-series core's
// 4-hour median follows a slow creep (+40% over a working day) and never sees it; a day-ago and a
// week-ago baseline do not move with it. Robust by taking the baseline the recent hours differ
// from least: a weekday/weekend change differs from yesterday but not from last week, a Monday
// from Sunday but not from last Monday. Pure, bounded state (8 days of hourly cells), plain JSON.

const HOUR_MS = 3_600_000;
/** Hourly cells kept: 8 days, so that a week ago (plus the hour before it) is still there. */
const CELLS = 8 * 24;
/** Day offsets compared with, in order of preference. */
const DAY_OFFSETS = [1, 7] as const;
/** Runs needed both in the recent two hours and in a baseline's two hours before either is judged. */
export const LONG_MIN_WEIGHT = 20;
/** A change under this share of the baseline never alerts on this horizon (hour-scale drift). */
export const LONG_MIN_RELATIVE_CHANGE = 0.2;
/** Memory of the day-to-day noise estimate, in minutes (3 days). */
const NOISE_MEMORY_MINUTES = 3 * 1440;
/** Comparisons (minutes) learned before the horizon gives any verdict: a day of them. */
const WARMUP_COMPARISONS = 1440;
/** Floor on the day-to-day noise of a log mean, so a perfectly calm series cannot page on 3%. */
const NOISE_FLOOR = 0.02;
/** Mean absolute deviation → standard deviation for normal noise. */
const MEAN_AD_TO_SIGMA = 1.2533;
/** Deviations beyond this many noise units do not teach the noise estimate. */
const NOISE_FREEZE_SCORE = 4;

export interface LongHorizonState {
  /** Absolute local hour number held by each cell (−1 = empty). */
  hours: number[];
  /** Weighted sum of log(value) and total weight per cell. */
  logSum: number[];
  weight: number[];
  /** Exponential mean of |recent − yesterday| in log units. */
  noise: number;
  comparisons: number;
  /** The last minute added; earlier or equal ones are ignored (a replay after a restart). */
  lastT: number | null;
}

export interface LongHorizonVerdict {
  /** Recent two hours' weighted geometric mean, and the baseline it was compared with. */
  observed: number;
  expected: number;
  ratio: number;
  /** Deviation in noise units towards `up` (positive = higher); compared with the sensitivity threshold. */
  score: number;
  /** 1 = the same hours yesterday, 7 = the same weekday last week. */
  baselineDays: number;
  judged: boolean;
}

export function emptyLongHorizon(): LongHorizonState {
  return { hours: new Array<number>(CELLS).fill(-1), logSum: new Array<number>(CELLS).fill(0), weight: new Array<number>(CELLS).fill(0), noise: 0, comparisons: 0, lastT: null };
}

function cell(s: LongHorizonState, hour: number): { logSum: number; weight: number } {
  const i = ((hour % CELLS) + CELLS) % CELLS;
  return s.hours[i] === hour ? { logSum: s.logSum[i]!, weight: s.weight[i]! } : { logSum: 0, weight: 0 };
}

function twoHours(s: LongHorizonState, hour: number): { mean: number; weight: number } {
  const a = cell(s, hour);
  const b = cell(s, hour - 1);
  const weight = a.weight + b.weight;
  return { mean: weight > 0 ? (a.logSum + b.logSum) / weight : 0, weight };
}

/**
 * Adds one minute (value > 0 with the runs behind it; with `learn` false it is only judged) and judges the recent two hours against
 * the day-ago and week-ago baselines. `null` when there is not enough evidence on either side.
 */
export function updateLongHorizon(s: LongHorizonState, tMs: number, tzOffsetMinutes: number, value: number, weight: number, learn = true): LongHorizonVerdict | null {
  if (!(value > 0) || !(weight > 0) || (s.lastT !== null && tMs <= s.lastT)) return null;
  s.lastT = tMs;
  const hour = Math.floor((tMs + tzOffsetMinutes * 60_000) / HOUR_MS);
  const i = ((hour % CELLS) + CELLS) % CELLS;
  if (s.hours[i] !== hour) {
    s.hours[i] = hour;
    s.logSum[i] = 0;
    s.weight[i] = 0;
  }
  // A minute the per-series core already flags stays out: a short incident must neither hold the
  // two-hour mean up after it ended nor become tomorrow's baseline.
  if (learn) {
    s.logSum[i] = s.logSum[i]! + Math.log(value) * weight;
    s.weight[i] = s.weight[i]! + weight;
  }

  const recent = twoHours(s, hour);
  if (recent.weight < LONG_MIN_WEIGHT) return null;
  let best: { dev: number; days: number; base: number } | null = null;
  let yesterday: number | null = null;
  for (const days of DAY_OFFSETS) {
    const base = twoHours(s, hour - 24 * days);
    if (base.weight < LONG_MIN_WEIGHT) continue;
    const dev = recent.mean - base.mean;
    if (days === 1) yesterday = dev;
    if (best === null || Math.abs(dev) < Math.abs(best.dev)) best = { dev, days, base: base.mean };
  }
  if (best === null) return null;
  const noise = Math.max(MEAN_AD_TO_SIGMA * s.noise, NOISE_FLOOR);
  const score = best.dev / noise;
  const judged = s.comparisons >= WARMUP_COMPARISONS;
  // The noise is the day-to-day wobble of two-hour means; an incident must not widen it. While
  // warming up it is learned from every comparison (clipped, so it can still grow from the floor).
  if (yesterday !== null && (!judged || Math.abs(yesterday) / noise < NOISE_FREEZE_SCORE)) {
    s.comparisons++;
    const clipped = Math.min(Math.abs(yesterday), NOISE_FREEZE_SCORE * noise);
    s.noise += (clipped - s.noise) / Math.min(s.comparisons, NOISE_MEMORY_MINUTES);
  }
  const observed = Math.exp(recent.mean);
  const expected = Math.exp(best.base);
  return { observed, expected, ratio: observed / expected, score, baselineDays: best.days, judged };
}
