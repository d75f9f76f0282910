// What one delivery attempt came to. Transports always resolve to this, never reject, so retry
// and queueing code never needs a try/catch around a send.
export type SendResult =
  | { kind: 'success'; status: number }
  | { kind: 'failure'; status?: number; error: string }
  | { kind: 'retryable'; status?: number; error: string; retryAfterMs?: number };
