// The outcome of one attempt to deliver a payload. Transports resolve to it and never reject, so
// callers branch on data instead of guessing which exceptions mean "try again".
export type ExportResult =
  | { kind: 'success'; status: number }
  /** Never retried: the server refused the payload (400, 401, 403, 413, 415, ...). */
  | { kind: 'failure'; status?: number; code?: string; message: string }
  /** Worth another try: network error, timeout, 429, 5xx. `retryAfterMs` comes from Retry-After. */
  | { kind: 'retryable'; status?: number; retryAfterMs?: number; message: string };

export interface Transport {
  /** Sends once. `timeoutMs` bounds the whole attempt. Never rejects. */
  send(body: Uint8Array, timeoutMs: number): Promise<ExportResult>;
}
