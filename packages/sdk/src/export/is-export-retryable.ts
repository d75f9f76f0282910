// The one place that decides which HTTP statuses are worth retrying: overload (429) and server
// errors (5xx). Every other 4xx means the payload or the key is wrong, and resending cannot help.
export function isExportRetryable(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * Retry-After as milliseconds: delay-seconds or an HTTP date. Undefined when absent or unreadable.
 * `now` is epoch ms, passed in so tests control the clock.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
