// Seasonal offsets by hour of day and hour of week, learned online from how far each point sits
// from the series' level. Continuous by construction: an hour's offset fades in over its first
// visits, so seasonality fades in as history allows instead of
// switching on at a date (a switch would move the baseline by a step and raise false alarms).

const HOURS_PER_DAY = 24;
const HOURS_PER_WEEK = 168;
const HOUR_MS = 3_600_000;
/** Offsets remember about this many visits of their hour; older days fade out. */
const MEMORY_VISITS = 4;
/** Visits of an hour before its offset counts in full; it fades in linearly until then. */
const FULL_WEIGHT_VISITS = 2;
/** Residuals are clipped at this many noise scales so an incident barely moves the profile. */
const CLIP_SCALES = 3;

export interface SeasonalState {
  day: number[];
  dayN: number[];
  week: number[];
  weekN: number[];
}

export interface SeasonalBucket {
  /** 0–6, Sunday first, in the detector's time zone. */
  dayOfWeek: number;
  /** 0–23 in the detector's time zone. */
  hour: number;
}

export function emptySeasonalState(): SeasonalState {
  return {
    day: new Array<number>(HOURS_PER_DAY).fill(0),
    dayN: new Array<number>(HOURS_PER_DAY).fill(0),
    week: new Array<number>(HOURS_PER_WEEK).fill(0),
    weekN: new Array<number>(HOURS_PER_WEEK).fill(0),
  };
}

export function bucketOf(tMs: number, tzOffsetMinutes: number): SeasonalBucket {
  const localHours = Math.floor((tMs + tzOffsetMinutes * 60_000) / HOUR_MS);
  const hour = ((localHours % 24) + 24) % 24;
  // 1970-01-01 was a Thursday (day 4).
  const dayOfWeek = ((Math.floor(localHours / 24) + 4) % 7 + 7) % 7;
  return { dayOfWeek, hour };
}

function weekIndex(b: SeasonalBucket): number {
  return b.dayOfWeek * HOURS_PER_DAY + b.hour;
}

/**
 * How many points make one visit of an hour bucket; `n` counts points, so shrinkage and memory
 * are expressed in visits whatever the sampling step.
 */
function pointsPerVisit(stepMs: number): number {
  return Math.max(1, HOUR_MS / Math.max(stepMs, 1));
}

/** The learned offset for a bucket (daily shape plus the weekly correction), shrunk by evidence. */
export function seasonalOffset(s: SeasonalState, b: SeasonalBucket, stepMs: number): number {
  const per = pointsPerVisit(stepMs);
  const dn = s.dayN[b.hour]! / per;
  const wi = weekIndex(b);
  const wn = s.weekN[wi]! / per;
  const day = s.day[b.hour]! * Math.min(1, dn / FULL_WEIGHT_VISITS);
  const week = s.week[wi]! * Math.min(1, wn / FULL_WEIGHT_VISITS);
  return day + week;
}

/** Whether the offset for this bucket rests on at least one full visit of the hour (for wording). */
export function seasonalContext(s: SeasonalState, b: SeasonalBucket, stepMs: number): 'hour_of_week' | 'hour_of_day' | 'none' {
  const per = pointsPerVisit(stepMs);
  if (s.weekN[weekIndex(b)]! / per >= 2) return 'hour_of_week';
  if (s.dayN[b.hour]! / per >= 2) return 'hour_of_day';
  return 'none';
}

/** Learns from one point: `deviation` = value − level, `scale` = the current noise scale. */
export function learnSeasonal(s: SeasonalState, b: SeasonalBucket, deviation: number, scale: number, stepMs: number): void {
  const per = pointsPerVisit(stepMs);
  const clip = CLIP_SCALES * Math.max(scale, 1e-12);
  const minAlpha = 1 / (MEMORY_VISITS * per);
  const h = b.hour;
  const dayN = (s.dayN[h] = s.dayN[h]! + 1);
  const eDay = Math.max(-clip, Math.min(clip, deviation - s.day[h]!));
  s.day[h] = s.day[h]! + Math.max(1 / dayN, minAlpha) * eDay;
  // The weekly correction learns only what the daily shape leaves over (weekends, Mondays).
  const wi = weekIndex(b);
  const weekN = (s.weekN[wi] = s.weekN[wi]! + 1);
  const eWeek = Math.max(-clip, Math.min(clip, deviation - s.day[h]! - s.week[wi]!));
  s.week[wi] = s.week[wi]! + Math.max(1 / weekN, minAlpha) * eWeek;
}
