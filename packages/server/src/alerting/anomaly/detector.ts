// The streaming anomaly detector for one series: feed it points in time order, get a verdict per
// point. Pure and synchronous: no clock (time comes in with each point), no I/O, bounded memory
// (a fixed window plus fixed-size seasonal tables), and its state serialises to plain JSON.
//
// Model: value = level + seasonal offset(hour of day, hour of week) + noise.
// - level: median of the last WINDOW_POINTS deseasonalised values, so up to half the window can
//   be outliers without moving it; noise: their MAD, floored by the metric's own noise model.
// - the newest value, and the means of the newest few, are compared with the level in units of
//   their own noise: one point catches spikes, short means catch level shifts and slow creeps
//   earlier than a single point could.
import { createRobustWindow } from './robust-window.js';
import type { RobustWindow } from './robust-window.js';
import { bucketOf, emptySeasonalState, learnSeasonal, seasonalContext, seasonalOffset } from './seasonal-profile.js';
import type { SeasonalBucket, SeasonalState } from './seasonal-profile.js';
import { metricProfile } from './metrics.js';
import { binomialZ, poissonZ } from './counting-tests.js';
import { calibrate, emptyCalibration, learnCalibration } from './score-calibration.js';
import type { CalibrationState } from './score-calibration.js';
import type { MetricName, MetricProfile } from './metrics.js';

/** Points in the level window: 4 hours of per-minute rollups. */
export const WINDOW_POINTS = 240;
/** Lengths of the short means compared with the level, in points. 1 = the point itself. */
export const SCALES = [1, 4, 16] as const;
/** No verdict before this many points: a median of fewer is not a baseline. */
export const WARMUP_POINTS = 30;
/** Evidence pooling gives up (and starts again) when a pool spans longer than this. */
export const MAX_POOL_MS = 30 * 60_000;
/** MAD → standard deviation for normal noise. */
const MAD_TO_SIGMA = 1.4826;
/** Width of the central 90% → standard deviation for normal noise. */
const CENTRAL_90_TO_SIGMA = 3.29;
/** Mean absolute deviation → standard deviation for normal noise. */
const MEAN_AD_TO_SIGMA = 1.2533;
/** Memory of the exponential noise estimates, in points. */
const NOISE_MEMORY_POINTS = 720;
/**
 * Memory of the slow level that seasonal offsets are learned against, in points: a day of
 * minutes. (Scaling it to a day at other steps scored lower on NAB's 5-minute series.)
 */
const SLOW_LEVEL_MEMORY_POINTS = 1440;
/** Bounds on how far the evidence behind a point may widen or narrow its noise band. */
const MAX_EVIDENCE_SCALE = 3;
/** Deviations are clipped at this many noise scales before they update a noise estimate. */
const NOISE_CLIP = 3;
/** Points deviating by more than this many noise scales do not update the noise estimate. */
const NOISE_FREEZE_SCORE = 4;

export type Sensitivity = 'low' | 'medium' | 'high';

/** Score (in noise units) a point needs to be anomalous, per sensitivity. */
export const SENSITIVITY_THRESHOLDS: Readonly<Record<Sensitivity, number>> = { low: 8, medium: 6, high: 4.5 };

export interface DetectorOptions {
  /** One of the metric names in metrics.ts; any other string gets the generic default. */
  metric: MetricName | string;
  /** Default 'medium'. */
  sensitivity?: Sensitivity;
  /** Minutes east of UTC used for hour-of-day buckets. Default 0 (UTC). */
  tzOffsetMinutes?: number;
}

export interface AnomalyPoint {
  /** Epoch milliseconds; points must come in increasing time order. */
  t: number;
  value: number;
  /** Runs (or tool calls) behind this point; defaults to the metric's minimum, i.e. enough. */
  weight?: number;
}

export type Evidence = 'ok' | 'warming_up' | 'pooling' | 'insufficient';

export interface AnomalyVerdict {
  t: number;
  metric: string;
  /** The value judged: the point itself, or the short mean that deviated most. */
  observed: number;
  /** How many points `observed` averages (1, or a short-mean length). */
  points: number;
  /** The baseline for this time: level plus seasonal offset. */
  expected: number;
  /** observed / expected (NaN when expected is 0). */
  ratio: number;
  /**
   * How unusual the point is: the deviation in noise units, shrunk when this series routinely
   * produces large deviations (see score-calibration.ts), counting only changes big enough to
   * matter for the metric (metrics.ts). ≥ 0; 0 before a baseline exists. Compared with
   * SENSITIVITY_THRESHOLDS.
   */
  score: number;
  /** The deviation in noise units towards the watched direction, before calibration. */
  rawScore: number;
  direction: 'up' | 'down';
  anomalous: boolean;
  /** True on the first anomalous verdict of an episode (the previous verdict was not anomalous). */
  onset: boolean;
  evidence: Evidence;
  /** Which seasonal baseline `expected` rests on, and the bucket (for explanations). */
  seasonality: 'hour_of_week' | 'hour_of_day' | 'none';
  bucket: SeasonalBucket;
  /** Noise scale used, in the metric's units (for the short mean of `points`). */
  noise: number;
}

export interface DetectorState {
  version: 1;
  metric: string;
  sensitivity: Sensitivity;
  tzOffsetMinutes: number;
  count: number;
  firstT: number | null;
  lastT: number | null;
  stepMs: number;
  window: number[];
  recent: number[];
  /** Weights of the points in `recent` (for the counting tests). */
  recentWeights: number[];
  /**
   * Rate metrics only: [events, trials] of the points in the level window. The median of small
   * proportions is their mode (1.0 for a 97% success rate over ten runs), so rates take the
   * pooled proportion as their level instead.
   */
  rateWindow: [number, number][];
  /** Exponential mean of point weights: the evidence a typical point carries. */
  meanWeight: number;
  /**
   * A slow level (about a day of memory) that seasonal offsets are learned against. The 4-hour
   * median follows the daily cycle itself, so offsets learned against it chase their own tail.
   */
  slowLevel: number | null;
  /** Count metrics: points in the current run of zeros, and the events expected over them. */
  silence: { points: number; expected: number };
  meanAbsDev: number[];
  seasonal: SeasonalState;
  calibration: CalibrationState;
  pool: { sum: number; weight: number; startT: number } | null;
  wasAnomalous: boolean;
}

export interface AnomalyDetector {
  update(point: AnomalyPoint): AnomalyVerdict;
  serialize(): DetectorState;
}

function noiseFloor(profile: MetricProfile, level: number, weight: number): number {
  switch (profile.noise) {
    case 'count':
      return Math.sqrt(Math.max(level, 1));
    case 'rate': {
      const p = Math.min(Math.max(level, 0.01), 0.99);
      return Math.sqrt((p * (1 - p)) / Math.max(weight, 1));
    }
    case 'positive':
      return 0.02 * Math.abs(level);
    default:
      return 1e-9 * Math.max(1, Math.abs(level));
  }
}

/**
 * Whether a change is big enough in the metric's own terms (the "never page for 3%" rule).
 * `points` is the length of the short mean, for the minimum number of runs gained or lost.
 */
function materialChange(profile: MetricProfile, observed: number, expected: number, points: number): boolean {
  if (profile.minAbsoluteChange > 0 && Math.abs(observed - expected) < profile.minAbsoluteChange) return false;
  if (profile.minAbsoluteEvents > 0 && Math.abs(observed - expected) * points < profile.minAbsoluteEvents) return false;
  if (profile.minRelativeChange > 0) {
    if (expected === 0) return observed !== 0;
    if (Math.abs(observed / expected - 1) < profile.minRelativeChange) return false;
  }
  return true;
}

export function createDetector(options: DetectorOptions): AnomalyDetector {
  return restoreDetector({
    version: 1,
    metric: options.metric,
    sensitivity: options.sensitivity ?? 'medium',
    tzOffsetMinutes: options.tzOffsetMinutes ?? 0,
    count: 0,
    firstT: null,
    lastT: null,
    stepMs: 60_000,
    window: [],
    recent: [],
    recentWeights: [],
    rateWindow: [],
    meanWeight: 0,
    slowLevel: null,
    silence: { points: 0, expected: 0 },
    meanAbsDev: SCALES.map(() => 0),
    seasonal: emptySeasonalState(),
    calibration: emptyCalibration(),
    pool: null,
    wasAnomalous: false,
  });
}

/** Rebuilds a detector from `serialize()` output, e.g. after a restart. */
export function restoreDetector(saved: DetectorState): AnomalyDetector {
  const s: DetectorState = structuredClone(saved);
  const profile = metricProfile(s.metric);
  const threshold = SENSITIVITY_THRESHOLDS[s.sensitivity];
  const window: RobustWindow = createRobustWindow(WINDOW_POINTS, s.window);
  const maxScale = SCALES[SCALES.length - 1]!;

  function quietVerdict(t: number, value: number, evidence: Evidence, bucket: SeasonalBucket): AnomalyVerdict {
    return {
      t, metric: s.metric, observed: value, points: 1, expected: NaN, ratio: NaN, score: 0, rawScore: 0,
      direction: 'up', anomalous: false, onset: false, evidence, seasonality: 'none', bucket, noise: NaN,
    };
  }

  function judge(t: number, value: number, weight: number, judgeable: boolean): AnomalyVerdict {
    const bucket = bucketOf(t, s.tzOffsetMinutes);
    if (s.lastT !== null && t > s.lastT) {
      // The sampling step is the smallest gap seen: gaps from missing data must not stretch it.
      s.stepMs = s.count <= 1 ? t - s.lastT : Math.min(s.stepMs, t - s.lastT);
    }
    s.firstT ??= t;
    s.lastT = t;
    const offset = seasonalOffset(s.seasonal, bucket, s.stepMs);
    const deseasonalised = value - offset;
    s.recent.push(deseasonalised);
    s.recentWeights.push(weight);
    if (s.recent.length > maxScale) {
      s.recent.shift();
      s.recentWeights.shift();
    }

    let verdict: AnomalyVerdict;
    if (window.size < WARMUP_POINTS) {
      verdict = quietVerdict(t, value, 'warming_up', bucket);
    } else {
      let level = window.median();
      if (profile.noise === 'rate') {
        let events = 0;
        let trials = 0;
        for (const [e, n] of s.rateWindow) {
          events += e;
          trials += n;
        }
        if (trials > 0) level = events / trials;
      }
      const floor = noiseFloor(profile, level + offset, weight);
      // MAD alone under-reads the spread of lumpy or multi-modal series (values that alternate
      // between a few levels), so the central 90% range also sets a floor; both ignore the
      // few extreme points the detector is looking for.
      const madSigma = Math.max(MAD_TO_SIGMA * window.mad(), (window.quantile(0.95) - window.quantile(0.05)) / CENTRAL_90_TO_SIGMA);
      let best = { score: -Infinity, signed: 0, k: 1, mean: deseasonalised, noise: 0 };
      // The best scale among those whose change is material: only these can raise an alert.
      let bestMaterial: typeof best | null = null;
      for (let i = 0; i < SCALES.length; i++) {
        const k = SCALES[i]!;
        if (s.recent.length < k) break;
        let sum = 0;
        let events = 0;
        let trials = 0;
        for (let j = s.recent.length - k; j < s.recent.length; j++) {
          sum += s.recent[j]!;
          events += (s.recent[j]! + offset) * s.recentWeights[j]!;
          trials += s.recentWeights[j]!;
        }
        const mean = sum / k;
        const dev = mean - level;
        // A short mean's noise is learned from its own past deviations (this absorbs
        // autocorrelation), and never taken below what independent points would give.
        const learned = MEAN_AD_TO_SIGMA * s.meanAbsDev[i]!;
        // A p95 over three runs is noisier than one over thirty: for magnitudes, noise learned
        // at the typical weight is scaled by how much less (or more) evidence these points carry.
        const evidenceScale = profile.noise === 'positive' && s.meanWeight > 0 && trials > 0 ? Math.min(MAX_EVIDENCE_SCALE, Math.max(1 / MAX_EVIDENCE_SCALE, Math.sqrt((s.meanWeight * k) / trials))) : 1;
        let noise = evidenceScale * Math.max(learned, madSigma / Math.sqrt(k), floor / Math.sqrt(k), 1e-12);
        let signed = dev / noise;
        // Counted metrics get a likelihood-ratio test that knows their tails (counting-tests.ts).
        const counted = profile.noise === 'count' ? poissonZ(k * (mean + offset), k * Math.max(level + offset, 0)) : profile.noise === 'rate' ? binomialZ(events, trials, level + offset) : null;
        if (counted !== null && profile.noise === 'rate') {
          // Rates: the smaller of the empirical z and the binomial one, so that neither a calm
          // history nor a rare failure's discreteness (1 in 10 calls) makes a blip look big.
          const empirical = dev / Math.max(learned, madSigma / Math.sqrt(k), 1e-12);
          signed = Math.abs(counted) < Math.abs(empirical) ? counted : empirical;
          if (signed !== 0) noise = Math.abs(dev / signed);
        } else if (counted !== null) {
          // Counts: the Poisson test, widened by how much noisier than Poisson single minutes
          // of this series are (overdispersion from load swings), measured on scale 1.
          const poissonSigma = Math.sqrt(Math.max(level + offset, 0.01));
          const overdispersion = Math.max(1, (MEAN_AD_TO_SIGMA * s.meanAbsDev[0]!) / poissonSigma);
          signed = counted / overdispersion;
          if (signed !== 0) noise = Math.abs(dev / signed);
        }
        const directional = profile.direction === 'up' ? signed : profile.direction === 'down' ? -signed : Math.abs(signed);
        const candidate = { score: directional, signed, k, mean, noise };
        if (directional > best.score) best = candidate;
        if (directional > (bestMaterial?.score ?? -Infinity) && materialChange(profile, mean + offset, level + offset, k)) bestMaterial = candidate;
        // Noise is learned from ordinary points only: letting an incident's own deviations in
        // would widen the noise band while the incident is still going on and silence it.
        if (Math.abs(signed) < NOISE_FREEZE_SCORE) {
          const clip = NOISE_CLIP * noise;
          s.meanAbsDev[i] = s.meanAbsDev[i]! + (Math.min(Math.abs(dev), clip) / evidenceScale - s.meanAbsDev[i]!) / Math.min(s.count + 1, NOISE_MEMORY_POINTS);
        }
      }
      const expected = level + offset;
      if (profile.noise === 'count') {
        // A stretch of zeros is judged over its whole length, however long: the chance of that
        // much silence at the expected rate is e^(−expected), whatever the load swings are.
        if (value === 0) {
          s.silence.points++;
          s.silence.expected += Math.max(expected, 0);
          const signed = poissonZ(0, s.silence.expected);
          const directional = profile.direction === 'up' ? signed : -signed;
          const k = s.silence.points;
          const candidate = { score: directional, signed, k, mean: -offset, noise: Math.abs(expected / signed) };
          if (directional > best.score) best = candidate;
          if (directional > (bestMaterial?.score ?? -Infinity) && materialChange(profile, 0, expected, k)) bestMaterial = candidate;
        } else {
          s.silence = { points: 0, expected: 0 };
        }
      }
      const rawScore = Math.max(best.score, 0);
      const shown = bestMaterial ?? best;
      const observed = shown.mean + offset;
      const direction: 'up' | 'down' = shown.signed >= 0 ? 'up' : 'down';
      const score = bestMaterial ? calibrate(s.calibration, Math.max(bestMaterial.score, 0)) : 0;
      learnCalibration(s.calibration, rawScore);
      const anomalous = judgeable && score >= threshold;
      verdict = {
        t, metric: s.metric, observed, points: shown.k, expected,
        ratio: expected === 0 ? NaN : observed / expected,
        score, rawScore, direction, anomalous, onset: anomalous && !s.wasAnomalous,
        evidence: judgeable ? 'ok' : 'insufficient',
        seasonality: seasonalContext(s.seasonal, bucket, s.stepMs), bucket, noise: shown.noise,
      };
      // An incident must not teach the seasonal profile that it is normal for this hour. Only
      // flagged points are kept out: freezing on any large deviation would also lock out the
      // corrections a still-wrong profile needs.
      const scale = Math.max(madSigma, floor);
      s.slowLevel ??= level;
      const step = Math.max(-NOISE_CLIP * scale, Math.min(NOISE_CLIP * scale, deseasonalised - s.slowLevel));
      s.slowLevel += step / Math.min(s.count + 1, SLOW_LEVEL_MEMORY_POINTS);
      if (score < threshold) learnSeasonal(s.seasonal, bucket, value - s.slowLevel, scale, s.stepMs);
    }
    window.push(deseasonalised);
    s.meanWeight += (weight - s.meanWeight) / Math.min(s.count + 1, NOISE_MEMORY_POINTS);
    if (profile.noise === 'rate') {
      s.rateWindow.push([deseasonalised * weight, weight]);
      if (s.rateWindow.length > WINDOW_POINTS) s.rateWindow.shift();
    }
    s.count++;
    s.wasAnomalous = verdict.anomalous;
    return verdict;
  }

  function update(point: AnomalyPoint): AnomalyVerdict {
    const weight = point.weight ?? profile.minWeight;
    if (!Number.isFinite(point.value) || (s.lastT !== null && point.t <= s.lastT)) {
      // Out-of-order or non-numeric input is ignored rather than corrupting the baseline.
      return quietVerdict(point.t, point.value, 'insufficient', bucketOf(point.t, s.tzOffsetMinutes));
    }
    if (weight >= profile.minWeight && s.pool === null) return judge(point.t, point.value, weight, true);
    // Too few runs behind this point: pool it with the following ones until there is enough
    // evidence, so a quiet agent is judged on, say, ten runs over five minutes, not on one run.
    if (s.pool !== null && point.t - s.pool.startT > MAX_POOL_MS) {
      const stale = s.pool;
      s.pool = null;
      if (stale.weight > 0) judge(point.t - 1, stale.sum / stale.weight, stale.weight, false);
    }
    s.pool ??= { sum: 0, weight: 0, startT: point.t };
    s.pool.sum += point.value * Math.max(weight, 1e-9);
    s.pool.weight += Math.max(weight, 1e-9);
    if (s.pool.weight >= profile.minWeight) {
      const pooled = s.pool;
      s.pool = null;
      return judge(point.t, pooled.sum / pooled.weight, pooled.weight, true);
    }
    return quietVerdict(point.t, point.value, 'pooling', bucketOf(point.t, s.tzOffsetMinutes));
  }

  return {
    update,
    serialize: () => ({ ...structuredClone(s), window: window.values() }),
  };
}
