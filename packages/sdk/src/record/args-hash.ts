// A stable fingerprint of a tool's arguments, so the server can see an agent repeating itself
// without the arguments themselves leaving the process.
import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so {a,b} and {b,a} hash the same. */
function canonical(value: unknown, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => canonical(v, seen));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key], seen);
  return out;
}

/** Text arguments that parse as JSON hash like the parsed value (models send JSON strings). */
export function argsToText(args: unknown): string {
  if (typeof args === 'string') {
    try {
      return JSON.stringify(canonical(JSON.parse(args), new WeakSet()));
    } catch {
      return args;
    }
  }
  try {
    return JSON.stringify(canonical(args, new WeakSet())) ?? '';
  } catch {
    return String(args);
  }
}

/** sha256 of the canonical arguments, first 32 hex characters. */
export function hashArgs(args: unknown): string {
  return createHash('sha256').update(argsToText(args)).digest('hex').slice(0, 32);
}
