// Loads a runs-per-bucket series for each agent in a table, a few at a time, after the table
// itself has rendered (the fleet page stays interactive with many agents).
import { useEffect, useState } from 'preact/hooks';
import { fetchSeries, METRIC } from '../api/series';
import type { TimeRange } from '../state/time-range';

const CONCURRENCY = 4;
/** About 30 points per line, whatever the range. */
const stepFor = (spanMs: number): string => {
  const minutes = Math.max(1, Math.round(spanMs / 60_000 / 30));
  return minutes >= 1440 ? `${Math.round(minutes / 1440)}d` : minutes >= 60 ? `${Math.round(minutes / 60)}h` : `${minutes}m`;
};

/**
 * The first and last buckets of a range cover only part of a step (the range starts and ends
 * between bucket edges; the last one is still filling up), so their run counts dip and the line
 * would show a drop that is not there. A trend line keeps whole buckets only.
 */
export function wholeBuckets(points: (number | null)[]): (number | null)[] {
  return points.length > 4 ? points.slice(1, -1) : points;
}

export function useSparklines(agents: string[], range: TimeRange): Map<string, (number | null)[]> {
  const [lines, setLines] = useState(new Map<string, (number | null)[]>());
  // The set of agents, not their order: re-sorting the table must not reload the lines.
  const key = [...agents].sort().join('\u0000');

  useEffect(() => {
    const controller = new AbortController();
    const queue = [...agents];
    const step = stepFor(range.to - range.from);
    const worker = async () => {
      for (let agent = queue.shift(); agent !== undefined; agent = queue.shift()) {
        try {
          const s = await fetchSeries(agent, [METRIC.runs], range.params, step, controller.signal);
          const name = agent;
          setLines((m) => new Map(m).set(name, wholeBuckets(s.byMetric.get(METRIC.runs) ?? [])));
        } catch {
          if (controller.signal.aborted) return;
        }
      }
    };
    // Defer one frame so the table paints before the sparkline requests start.
    const timer = setTimeout(() => void Promise.all(Array.from({ length: CONCURRENCY }, worker)), 0);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // Relative ranges slide with every live tick; the lines are redrawn at most once a minute.
  }, [key, range.kind === 'custom' ? `${range.params.from}/${range.params.to}` : `${range.kind}@${Math.floor(range.to / 60_000)}`]);

  return lines;
}
