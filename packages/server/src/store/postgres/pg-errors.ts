// Which PostgreSQL failures mean "the database is unavailable, retry later" (503 Retry-After)
// and which are worth retrying at once inside the store (deadlocks, serialization failures).
import { StoreUnavailableError } from '../store.js';

/** Seconds a client is told to wait while the database is unreachable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

// SQLSTATEs: class 08 connection exceptions; 57P01-57P03 shutdown/restart/starting up;
// 53300 too many connections; 57014 statement timeout (the database is too slow to answer).
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '57014', '55P03']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// node-postgres reports lost connections and pool timeouts only by message.
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
  'the database system is',
];

export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (code.startsWith('08') || UNAVAILABLE_STATES.has(code) || NETWORK_CODES.has(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return UNAVAILABLE_MESSAGES.some((m) => message.includes(m));
}

/** Deadlock or serialization failure: the transaction did nothing and can simply run again. */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** Turns an unavailability into StoreUnavailableError; any other error passes through. */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isUnavailable(error)) return error;
  const message = (error as { message?: string }).message ?? 'unknown error';
  return new StoreUnavailableError(`PostgreSQL is unavailable: ${message}`, UNAVAILABLE_RETRY_AFTER_SECONDS);
}
