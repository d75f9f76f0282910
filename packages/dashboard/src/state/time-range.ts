// The time range every page shares: `range=1h|24h|7d|30d` (relative to now, sliding with live
// refresh) or `from`/`to` (custom, absolute, ISO 8601). Default: the last 24 hours, as the API's.
import { useLive } from './live';
import { useQueryState } from './query';

export const PRESETS = { '1h': 3600_000, '24h': 24 * 3600_000, '7d': 7 * 24 * 3600_000, '30d': 30 * 24 * 3600_000 } as const;
export type Preset = keyof typeof PRESETS;
export const DEFAULT_PRESET: Preset = '24h';

export interface TimeRange {
  from: number;
  to: number;
  /** The preset, or 'custom'. */
  kind: Preset | 'custom';
  /** For the API: from=…&to=… as ISO 8601. */
  params: { from: string; to: string };
}

function parseTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}

export function resolveRange(query: Record<string, string>, now: number): TimeRange {
  const from = parseTime(query.from);
  const to = parseTime(query.to);
  if (from !== undefined && to !== undefined && from < to) {
    return { from, to, kind: 'custom', params: { from: new Date(from).toISOString(), to: new Date(to).toISOString() } };
  }
  const preset = (query.range && query.range in PRESETS ? query.range : DEFAULT_PRESET) as Preset;
  const start = now - PRESETS[preset];
  return { from: start, to: now, kind: preset, params: { from: new Date(start).toISOString(), to: new Date(now).toISOString() } };
}

export function useTimeRange() {
  const { query, setQuery } = useQueryState();
  const { now } = useLive();
  const range = resolveRange(query, now);
  return {
    range,
    setPreset: (p: Preset) => setQuery({ range: p === DEFAULT_PRESET ? null : p, from: null, to: null, cursor: null }),
    setCustom: (from: number, to: number) =>
      setQuery({ range: null, from: new Date(from).toISOString(), to: new Date(to).toISOString(), cursor: null }),
  };
}
