// Wraps any transport with retries: exponential backoff with jitter up to a cap, Retry-After
// wins, and it stops before the next try would pass the deadline. It never sleeps past the
// deadline and its timers never keep the process alive.
import type { ExportResult, Transport } from './export-result.js';

/** First retry after about 1 s; doubling; jitter of ±20% spreads a fleet's retries apart. */
const INITIAL_BACKOFF_MS = 1_000;
const BACKOFF_MULTIPLIER = 2;
const JITTER = 0.2;
/** Attempts per send, the first included; the deadline usually stops it sooner. */
const MAX_ATTEMPTS = 5;

export interface RetryOptions {
  maxBackoffMs: number;
  initialBackoffMs?: number;
  maxAttempts?: number;
  /** Injected for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (result: Extract<ExportResult, { kind: 'retryable' }>, delayMs: number, attempt: number) => void;
}

export interface RetryingTransport {
  /** Sends with retries until success, a non-retryable failure, the attempts or the deadline (epoch ms) run out. */
  send(body: Uint8Array, deadline: number, requestTimeoutMs: number): Promise<ExportResult>;
}

export const unrefSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
  });

/** The delay before attempt `attempt + 1` (attempt counts from 1), without Retry-After. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const base = Math.min(maxMs, initialMs * BACKOFF_MULTIPLIER ** (attempt - 1));
  return Math.min(maxMs, Math.round(base * (1 - JITTER + 2 * JITTER * random())));
}

export function createRetryingTransport(inner: Transport, options: RetryOptions): RetryingTransport {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? unrefSleep;
  const random = options.random ?? Math.random;
  const initial = options.initialBackoffMs ?? INITIAL_BACKOFF_MS;
  const maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
  return {
    async send(body, deadline, requestTimeoutMs) {
      let attempt = 0;
      for (;;) {
        attempt++;
        const remaining = deadline - now();
        if (remaining <= 0) return { kind: 'retryable', message: 'export deadline passed before sending' };
        const result = await inner.send(body, Math.min(requestTimeoutMs, remaining));
        if (result.kind !== 'retryable' || attempt >= maxAttempts) return result;
        const delay = result.retryAfterMs ?? backoffDelay(attempt, initial, options.maxBackoffMs, random);
        // Retry-After beyond the deadline: hand it back so the caller waits that long before the next batch.
        if (now() + delay >= deadline) return result;
        options.onRetry?.(result, delay, attempt);
        await sleep(delay);
      }
    },
  };
}
