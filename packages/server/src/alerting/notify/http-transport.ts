// Sends one JSON POST and classifies the outcome (export-result.ts). It never rejects, reads at
// most a few KiB of the answer (a misbehaving receiver cannot make us buffer a huge body), and
// gives up after its timeout so a hanging receiver costs one timeout, not a stuck queue.
import type { SendResult } from './export-result.js';
import { isRetryableStatus, parseRetryAfter } from './is-retryable.js';

/** How much of a receiver's answer is kept for the error message. */
export const MAX_RESPONSE_BYTES = 4096;

export interface HttpTransport {
  send(body: unknown): Promise<SendResult>;
}

export function createHttpTransport(options: {
  url: string;
  timeoutMs: number;
  headers?: Record<string, string>;
  /** Aborts a request in flight (shutdown). */
  signal?: AbortSignal;
}): HttpTransport {
  return {
    async send(body) {
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'vigil-alerting', ...options.headers },
          body: JSON.stringify(body),
          signal: options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]) : AbortSignal.timeout(options.timeoutMs),
          redirect: 'error',
        });
      } catch (error) {
        const e = error as Error;
        if (options.signal?.aborted) return { kind: 'failure', error: 'aborted: shutting down' };
        const reason = e.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : (e.cause as Error | undefined)?.message ?? e.message;
        return { kind: 'retryable', error: `network: ${reason}` };
      }
      const text = await readCapped(response);
      if (response.ok) return { kind: 'success', status: response.status };
      const error = `HTTP ${response.status}${text ? `: ${text}` : ''}`;
      if (isRetryableStatus(response.status)) {
        return { kind: 'retryable', status: response.status, error, retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()) };
      }
      return { kind: 'failure', status: response.status, error };
    },
  };
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_RESPONSE_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short is still an answer; its status decides.
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_RESPONSE_BYTES).trim();
}
