// The one place that says which HTTP answers are worth retrying: any 5xx, and 429 (the receiver
// asks us to slow down, usually with Retry-After). Every other 4xx means the request itself is
// wrong (bad URL path, bad token, payload refused) and sending it again cannot help.
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** Retry-After as delay-seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
