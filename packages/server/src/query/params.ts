// Query-string parsing for the read API. Each bad parameter is a 400 that names it.
import { parseTime } from '@vigil/protocol';
import { ApiError } from '../web/errors.js';

export const DEFAULT_RANGE_MS = 24 * 3600_000;

export type Query = Record<string, string | string[] | undefined>;

function bad(name: string, message: string): ApiError {
  return new ApiError('INVALID_PARAMETER', `${name}: ${message}`, [{ path: name, message }]);
}

export function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) throw bad(name, 'must be given once');
  return v === '' ? undefined : v;
}

/** A time parameter: ISO 8601 or epoch milliseconds. */
export function timeParam(q: Query, name: string): number | undefined {
  const raw = single(q, name);
  if (raw === undefined) return undefined;
  const t = parseTime(/^\d+$/.test(raw) ? Number(raw) : raw);
  if (t === undefined) throw bad(name, 'must be an ISO 8601 time or epoch milliseconds');
  return t;
}

/** `from`/`to`, defaulting to the last 24 hours; `from` must be before `to`. */
export function rangeParams(q: Query, now: number): { from: number; to: number } {
  const to = timeParam(q, 'to') ?? now;
  const from = timeParam(q, 'from') ?? to - DEFAULT_RANGE_MS;
  if (from >= to) throw bad('from', 'must be before to');
  return { from, to };
}

export function intParam(q: Query, name: string, def: number, min: number, max: number): number {
  const raw = single(q, name);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) throw bad(name, `must be a whole number from ${min} to ${max}`);
  const n = Number(raw);
  if (n < min || n > max) throw bad(name, `must be a whole number from ${min} to ${max}`);
  return n;
}

/** A comma-separated list whose items must each be one of `allowed`. */
export function enumListParam<T extends string>(q: Query, name: string, allowed: readonly T[]): T[] | undefined {
  const raw = single(q, name);
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T)) throw bad(name, `must be one of ${allowed.join(', ')}`);
  }
  return items as T[];
}

export function encodeCursor(c: { timestamp: number; run_id: string }): string {
  return Buffer.from(JSON.stringify([c.timestamp, c.run_id]), 'utf8').toString('base64url');
}

export function decodeCursor(q: Query): { timestamp: number; run_id: string } | undefined {
  const raw = single(q, 'cursor');
  if (raw === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return { timestamp: v[0], run_id: v[1] };
  } catch {
    // fall through to the 400 below
  }
  throw bad('cursor', 'is not a cursor this server issued');
}
