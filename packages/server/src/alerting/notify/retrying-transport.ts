// Wraps a transport with retries: exponential backoff with full jitter up to a cap, Retry-After
// wins when the receiver sends one, and no attempt starts past the deadline. Failures that are
// not retryable (4xx other than 429) return at once.
import type { SendResult } from './export-result.js';
import type { HttpTransport } from './http-transport.js';

/** First backoff, ms: quick enough to ride out a receiver restart. */
export const INITIAL_BACKOFF_MS = 500;
/** Backoff never exceeds this, ms. */
export const MAX_BACKOFF_MS = 30_000;
/** A notification is given up after this long, ms; the next group_interval flush sends it anew. */
export const DEFAULT_DEADLINE_MS = 120_000;

export interface RetryOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  deadlineMs?: number;
  /** Waits; tests keep the real one (short backoffs) or pass their own. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /** Once aborted, no further attempt starts (shutdown). */
  signal?: AbortSignal;
}

export interface RetryingTransport {
  /** Sends until success, a non-retryable failure, or the deadline; `attempts` counts tries. */
  send(body: unknown): Promise<SendResult & { attempts: number }>;
}

const aborted = (signal: AbortSignal) => new Promise<void>((resolve) => {
  if (signal.aborted) resolve();
  else signal.addEventListener('abort', () => resolve(), { once: true });
});

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export function withRetry(transport: HttpTransport, options: RetryOptions = {}): RetryingTransport {
  const initial = options.initialBackoffMs ?? INITIAL_BACKOFF_MS;
  const cap = options.maxBackoffMs ?? MAX_BACKOFF_MS;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  return {
    async send(body) {
      const deadline = now() + deadlineMs;
      let attempts = 0;
      for (;;) {
        attempts++;
        const result = await transport.send(body);
        if (result.kind !== 'retryable') return { ...result, attempts };
        const backoff = Math.min(cap, initial * 2 ** (attempts - 1));
        const delay = result.retryAfterMs ?? Math.round(backoff / 2 + random() * (backoff / 2));
        if (options.signal?.aborted) return { kind: 'failure', status: result.status, error: `${result.error} (not retried: shutting down)`, attempts };
        if (now() + delay >= deadline) return { kind: 'failure', status: result.status, error: `${result.error} (gave up after ${attempts} attempts)`, attempts };
        await (options.signal ? Promise.race([sleep(delay), aborted(options.signal)]) : sleep(delay));
      }
    },
  };
}
