// Query parameters of the analytics routes: `step` and `metric`. Each bad value is a 400 that
// names the parameter, like params.ts.
import { formatDuration, parseDuration } from '@vigil/protocol';
import { ApiError } from '../web/errors.js';
import { DAY_MS, MINUTE_MS } from '../store/rollup.js';
import { SERIES_METRIC_NAMES, type SeriesMetric } from './agent-metrics.js';
import { autoStep, MAX_SERIES_POINTS, seriesLength, type TimeRange } from './analytics.js';
import { single, type Query } from './params.js';

function bad(name: string, message: string): ApiError {
  return new ApiError('INVALID_PARAMETER', `${name}: ${message}`, [{ path: name, message }]);
}

/** `step`: a duration from 1m to 1d in whole minutes ("5m", "1h", "1d"); chosen from the range when absent. */
export function stepParam(q: Query, range: TimeRange): number {
  const raw = single(q, 'step');
  if (raw === undefined) return autoStep(range);
  const ms = parseDuration(raw);
  if (ms === undefined || ms < MINUTE_MS || ms > DAY_MS || ms % MINUTE_MS !== 0) {
    throw bad('step', 'must be a duration in whole minutes from 1m to 1d, such as 5m, 1h or 1d');
  }
  const points = seriesLength(range, ms);
  if (points > MAX_SERIES_POINTS) {
    throw bad('step', `gives ${points} points for this range; at most ${MAX_SERIES_POINTS} (use a larger step)`);
  }
  return ms;
}

/** `metric`: one name or a comma-separated list; all metrics when absent. */
export function metricsParam(q: Query): SeriesMetric[] {
  const raw = single(q, 'metric');
  if (raw === undefined) return SERIES_METRIC_NAMES;
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) return SERIES_METRIC_NAMES;
  for (const item of items) {
    if (!SERIES_METRIC_NAMES.includes(item as SeriesMetric)) throw bad('metric', `'${item}' is not one of ${SERIES_METRIC_NAMES.join(', ')}`);
  }
  return [...new Set(items)] as SeriesMetric[];
}

export { formatDuration };
