// Sends one gzip'd JSON body with fetch and classifies the answer. It never rejects and never
// retries (retrying-transport.ts does that); it reads at most MAX_RESPONSE_BYTES of any answer.
import type { Transport } from './export-result.js';
import { isExportRetryable, parseRetryAfter } from './is-export-retryable.js';

/** Error bodies are small JSON; a misbehaving server must not make us buffer megabytes. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface HttpTransportOptions {
  url: string;
  apiKey: string | undefined;
  /** Extra headers (e.g. User-Agent). */
  headers?: Record<string, string>;
  /** Whether `send` bodies are gzip'd (adds Content-Encoding). Default true. */
  gzip?: boolean;
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_RESPONSE_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8');
}

function errorOf(text: string): { code?: string; message?: string } {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    return {
      code: typeof body.error?.code === 'string' ? body.error.code : undefined,
      message: typeof body.error?.message === 'string' ? body.error.message : undefined,
    };
  } catch {
    return {};
  }
}

export function createHttpTransport(options: HttpTransportOptions): Transport {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(options.gzip === false ? {} : { 'content-encoding': 'gzip' }),
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    ...options.headers,
  };
  return {
    async send(body, timeoutMs) {
      try {
        const res = await fetch(options.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
        const text = await readCapped(res);
        if (res.ok) return { kind: 'success', status: res.status };
        const { code, message } = errorOf(text);
        const detail = `HTTP ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
        if (isExportRetryable(res.status)) {
          const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now());
          return { kind: 'retryable', status: res.status, message: detail, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
        }
        return { kind: 'failure', status: res.status, message: detail, ...(code ? { code } : {}) };
      } catch (err) {
        // Network errors, refused connections and our own timeout: the server may come back.
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        const name = (err as Error).name;
        return { kind: 'retryable', message: `${name === 'TimeoutError' ? `timed out after ${timeoutMs}ms` : ((err as Error).message ?? String(err))}${cause ? ` (${cause})` : ''}` };
      }
    },
  };
}
