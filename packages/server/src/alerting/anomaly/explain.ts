// Words for an anomaly verdict, for alert annotations: what moved, by how much, against which
// baseline ("p95 latency 4.1 s, 2.3x its usual 1.8 s for Tuesdays 14:00").
import type { AnomalyVerdict } from './detector.js';
import { metricProfile } from './metrics.js';

const DAY_NAMES = ['Sundays', 'Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays'];

function hourLabel(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

/** The baseline's context: "for Tuesdays 14:00", "for 14:00", or "" when there is no seasonality. */
export function baselineContext(v: Pick<AnomalyVerdict, 'seasonality' | 'bucket'>): string {
  if (v.seasonality === 'hour_of_week') return `for ${DAY_NAMES[v.bucket.dayOfWeek]} ${hourLabel(v.bucket.hour)}`;
  if (v.seasonality === 'hour_of_day') return `for ${hourLabel(v.bucket.hour)}`;
  return '';
}

function formatRatio(r: number): string {
  return r >= 10 ? r.toFixed(0) : r.toFixed(1);
}

/**
 * One sentence explaining a verdict. Ratios are used for magnitudes ("2.3x its usual"); rates
 * and drops to zero read better as before/after ("success rate 71%, usually 97%").
 */
export function explainAnomaly(v: AnomalyVerdict): string {
  const profile = metricProfile(v.metric);
  const context = baselineContext(v);
  const usual = `${profile.format(v.expected)}${context ? ` ${context}` : ''}`;
  const over = v.points > 1 ? ` over the last ${v.points} points` : '';
  const observed = `${profile.label} ${profile.format(v.observed)}${over}`;
  if (profile.noise === 'rate' || !Number.isFinite(v.ratio) || v.ratio <= 0 || v.expected <= 0) {
    return `${observed}, usually ${usual}`;
  }
  if (v.ratio >= 1) return `${observed}, ${formatRatio(v.ratio)}x its usual ${usual}`;
  return `${observed}, ${Math.round((1 - v.ratio) * 100)}% below its usual ${usual}`;
}
