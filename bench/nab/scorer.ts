// NAB scoring, written from the benchmark's published rules: per-row weights from label windows
// (scaled sigmoid), a corpus-wide threshold sweep per profile, and normalisation against the null
// and perfect detectors. Pure: no file access here (see nab-data.ts for loading).

/** A profile's cost matrix, as in NAB's config/profiles.json. */
export interface CostMatrix {
  tpWeight: number;
  fnWeight: number;
  fpWeight: number;
}

/** One series ready for scoring: its detector scores and its windows as row indices. */
export interface ScoredSeries {
  name: string;
  scores: readonly number[];
  /** Inclusive [firstRow, lastRow] per label window, sorted by start. */
  windows: readonly (readonly [number, number])[];
}

/** NAB leaves the first 15% of each file (at most 750 rows) unscored so detectors can learn. */
const PROBATION_FRACTION = 0.15;
const PROBATION_MAX_ROWS = 750;

export function probationRows(rowCount: number): number {
  return Math.min(Math.floor(PROBATION_FRACTION * rowCount), PROBATION_MAX_ROWS);
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** 2·sigmoid(−5x) − 1: near +1 well before a window's right edge, 0 at it, −1 far after. */
export function scaledSigmoid(position: number): number {
  // Past three window-widths NAB treats a false positive as fully unrelated to the last window.
  if (position > 3) return -1;
  return 2 * sigmoid(-5 * position) - 1;
}

const MAX_TP = scaledSigmoid(-1);

/**
 * A row that takes part in scoring: its detector score, its unweighted contribution if detected
 * (positive inside a window, negative outside), and the window it belongs to (-1 if none).
 */
export interface ScoringRow {
  score: number;
  weight: number;
  window: number;
}

/**
 * The scorable rows of one series (probation excluded). Window ids are offset by `windowBase`
 * so that rows of many series can be pooled for the corpus-wide sweep.
 */
export function scoringRows(series: ScoredSeries, windowBase = 0): { rows: ScoringRow[]; windowCount: number } {
  const n = series.scores.length;
  const probation = probationRows(n);
  const rows: ScoringRow[] = [];
  const counted = new Set<number>();
  let w = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const win = series.windows[w];
    let weight: number;
    let windowId = -1;
    if (win && i >= win[0] && i <= win[1]) {
      const width = win[1] - win[0] + 1;
      weight = scaledSigmoid(-(win[1] - i + 1) / width) / MAX_TP;
      windowId = windowBase + w;
      if (i === win[1]) {
        prevRight = i;
        prevWidth = width;
        w++;
      }
    } else if (prevRight < 0) {
      weight = -1;
    } else {
      weight = scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
    }
    if (i >= probation) {
      rows.push({ score: series.scores[i] ?? 0, weight, window: windowId });
      if (windowId >= 0) counted.add(windowId);
    }
  }
  // A window lying wholly inside the probation period is not part of the raw score.
  return { rows, windowCount: counted.size };
}

/** The raw score of pooled rows at one threshold: rows with score >= threshold are detections. */
export function rawScoreAt(rows: readonly ScoringRow[], windowCount: number, cost: CostMatrix, threshold: number): number {
  const best = new Map<number, number>();
  let fp = 0;
  for (const r of rows) {
    if (r.score < threshold) continue;
    if (r.window < 0) fp += r.weight * cost.fpWeight;
    else best.set(r.window, Math.max(best.get(r.window) ?? -Infinity, r.weight));
  }
  let tp = 0;
  for (const v of best.values()) tp += v * cost.tpWeight;
  return tp + fp - (windowCount - best.size) * cost.fnWeight;
}

/**
 * Exhaustive sweep over every distinct score, highest first, keeping a running raw score.
 * Detections only ever get added as the threshold falls, so each row is visited once.
 */
export function optimiseThreshold(rows: readonly ScoringRow[], windowCount: number, cost: CostMatrix): { threshold: number; raw: number } {
  const sorted = [...rows].sort((a, b) => b.score - a.score);
  const best = new Map<number, number>();
  let raw = -windowCount * cost.fnWeight;
  let bestRaw = raw;
  let bestThreshold = Infinity;
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i]!;
    if (r.window < 0) {
      raw += r.weight * cost.fpWeight;
    } else {
      const prev = best.get(r.window);
      if (prev === undefined) {
        raw += r.weight * cost.tpWeight + cost.fnWeight;
        best.set(r.window, r.weight);
      } else if (r.weight > prev) {
        raw += (r.weight - prev) * cost.tpWeight;
        best.set(r.window, r.weight);
      }
    }
    // A threshold separates distinct scores only, so record after the last row of a tie.
    const next = sorted[i + 1];
    if ((next === undefined || next.score !== r.score) && raw > bestRaw) {
      bestRaw = raw;
      bestThreshold = r.score;
    }
  }
  return { threshold: bestThreshold, raw: bestRaw };
}

export interface ProfileResult {
  threshold: number;
  raw: number;
  /** 100 × (raw − null) / (perfect − null). */
  normalised: number;
  windows: number;
}

/** Scores a corpus under one profile: threshold optimised over all series at once. */
export function scoreCorpus(series: readonly ScoredSeries[], cost: CostMatrix): ProfileResult {
  const pooled: ScoringRow[] = [];
  let windows = 0;
  let totalWindows = 0;
  for (const s of series) {
    const { rows, windowCount } = scoringRows(s, totalWindows);
    totalWindows += s.windows.length;
    windows += windowCount;
    for (const r of rows) pooled.push(r);
  }
  const { threshold, raw } = optimiseThreshold(pooled, windows, cost);
  const nullRaw = -cost.fnWeight * windows;
  const perfectRaw = cost.tpWeight * windows;
  return { threshold, raw, normalised: (100 * (raw - nullRaw)) / (perfectRaw - nullRaw), windows };
}
