// Number and time formatting for people: units always shown, no NaN ever reaches the page.

const finite = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

export function fmtInt(n: number | null | undefined): string {
  return finite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

export function fmtCompact(n: number | null | undefined): string {
  if (!finite(n)) return '–';
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(a >= 1e10 ? 0 : 1)}B`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(a >= 1e5 ? 0 : 1)}k`;
  return fmtInt(n);
}

/** A fraction (0..1) as a percentage. */
export function fmtPct(n: number | null | undefined, digits = 1): string {
  return finite(n) ? `${(n * 100).toFixed(digits)}%` : '–';
}

export function fmtMs(ms: number | null | undefined): string {
  if (!finite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m ${s}s`;
}

export function fmtUsd(n: number | null | undefined): string {
  if (!finite(n)) return '–';
  if (n === 0) return '$0';
  if (Math.abs(n) < 0.01) return `$${n.toFixed(4)}`;
  return `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function fmtNum(n: number | null | undefined, digits = 1): string {
  return finite(n) ? n.toFixed(digits) : '–';
}

/** Local date and time, to the second. */
export function fmtTime(t: string | number | null | undefined): string {
  if (t === null || t === undefined) return '–';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return '–';
  return d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** "3m ago", "2h ago", for recent times; the full time otherwise. */
export function fmtAgo(t: string | number | null | undefined, now: number): string {
  if (t === null || t === undefined) return '–';
  const ms = now - new Date(t).getTime();
  if (!Number.isFinite(ms)) return '–';
  if (ms < 0) return 'just now';
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))}s ago`;
  if (ms < 3600_000) return `${Math.round(ms / 60_000)}m ago`;
  if (ms < 48 * 3600_000) return `${Math.round(ms / 3600_000)}h ago`;
  return fmtTime(t);
}

/** For datetime-local inputs: local time without seconds. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}
