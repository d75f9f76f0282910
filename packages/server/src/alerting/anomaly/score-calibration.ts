// Calibrates raw deviation scores against the series' own history of them. A series whose noise
// is heavy-tailed (tweet volumes, bursty CPU) produces large robust z-scores every day; paging on
// each would teach on-call to ignore Vigil. So a raw score is shrunk by how high this series'
// usual extremes run compared with what well-behaved noise would give.
//
// State: a fixed log-spaced histogram of past raw scores with exponential forgetting.

/** Histogram bins cover raw scores from 0 to about 10^BIN_DECADES on a log scale. */
const BINS = 48;
const BIN_DECADES = 4;
/** Past scores are forgotten with this half-life, in points (about 3.5 days of minutes). */
const HALF_LIFE_POINTS = 5000;
const DECAY = Math.pow(0.5, 1 / HALF_LIFE_POINTS);
/** The quantile taken as the series' "usual extreme". */
export const EXTREME_QUANTILE = 0.99;
/** Where that quantile sits for the max of three |z| of Gaussian noise; no shrink below it. */
export const REFERENCE_EXTREME = 4.5;
/** Until this much (decayed) history exists, scores are not shrunk. */
const MIN_MASS = 200;

/**
 * `bins` and `mass` are stored divided by `scale`: forgetting multiplies one number instead of
 * every bin, which matters at thousands of series per tick.
 */
export interface CalibrationState {
  bins: number[];
  mass: number;
  scale: number;
}

export function emptyCalibration(): CalibrationState {
  return { bins: new Array<number>(BINS).fill(0), mass: 0, scale: 1 };
}

function binOf(score: number): number {
  const x = Math.log10(1 + Math.max(score, 0)) / BIN_DECADES;
  return Math.min(BINS - 1, Math.floor(x * BINS));
}

function binUpper(bin: number): number {
  return Math.pow(10, ((bin + 1) / BINS) * BIN_DECADES) - 1;
}

/** The series' usual extreme raw score (upper edge of the quantile's bin). */
export function usualExtreme(c: CalibrationState): number {
  if (c.mass * c.scale < MIN_MASS) return REFERENCE_EXTREME;
  let above = 0;
  const tail = (1 - EXTREME_QUANTILE) * c.mass;
  for (let b = BINS - 1; b >= 0; b--) {
    above += c.bins[b]!;
    if (above > tail) return binUpper(b);
  }
  return REFERENCE_EXTREME;
}

/** raw × REFERENCE_EXTREME / usual extreme, never above raw. */
export function calibrate(c: CalibrationState, raw: number): number {
  return raw * Math.min(1, REFERENCE_EXTREME / usualExtreme(c));
}

export function learnCalibration(c: CalibrationState, raw: number): void {
  c.scale *= DECAY;
  const add = 1 / c.scale;
  c.mass += add;
  const b = binOf(raw);
  c.bins[b] = c.bins[b]! + add;
  // Fold the scale back in before the stored numbers grow past float precision.
  if (c.scale < 1e-12) {
    for (let i = 0; i < BINS; i++) c.bins[i] = c.bins[i]! * c.scale;
    c.mass *= c.scale;
    c.scale = 1;
  }
}
