import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { createHttpTransport } from '../../src/export/http-transport.js';
import { isExportRetryable, parseRetryAfter } from '../../src/export/is-export-retryable.js';
import { deadPort, startReceiver, type Answer } from '../receiver.js';

const body = gzipSync(JSON.stringify({ runs: [{ run_id: 'r1' }] }));

async function sendTo(answer: Answer, timeoutMs = 2_000) {
  const receiver = await startReceiver(0, () => answer);
  try {
    const t = createHttpTransport({ url: `${receiver.url}/v1/runs`, apiKey: 'k1' });
    return { result: await t.send(body, timeoutMs), requests: receiver.requests };
  } finally {
    await receiver.close();
  }
}

describe('createHttpTransport', () => {
  it('posts gzip JSON with the Bearer key and resolves success on 2xx', async () => {
    const { result, requests } = await sendTo({ status: 200, body: { accepted: 1 } });
    expect(result).toEqual({ kind: 'success', status: 200 });
    expect(requests[0]!.headers).toMatchObject({ authorization: 'Bearer k1', 'content-encoding': 'gzip', 'content-type': 'application/json' });
    expect(requests[0]!.body).toEqual({ runs: [{ run_id: 'r1' }] });
  });

  it('resolves failure with the error code on 400, never retryable', async () => {
    const { result } = await sendTo({ status: 400, body: { error: { code: 'VALIDATION_FAILED', message: '/runs/0/status: bad', details: [] } } });
    expect(result).toMatchObject({ kind: 'failure', status: 400, code: 'VALIDATION_FAILED' });
  });

  it('resolves retryable with the Retry-After delay on 429', async () => {
    const { result } = await sendTo({ status: 429, headers: { 'retry-after': '2' } });
    expect(result).toMatchObject({ kind: 'retryable', status: 429, retryAfterMs: 2_000 });
  });

  it('resolves retryable on 503 and on a refused connection', async () => {
    expect((await sendTo({ status: 503 })).result).toMatchObject({ kind: 'retryable', status: 503 });
    const port = await deadPort();
    const r = await createHttpTransport({ url: `http://127.0.0.1:${port}/v1/runs`, apiKey: 'k' }).send(body, 1_000);
    expect(r.kind).toBe('retryable');
  });

  it('resolves retryable when the server hangs past the timeout', async () => {
    const t0 = Date.now();
    const { result } = await sendTo({ hang: true }, 150);
    expect(result).toMatchObject({ kind: 'retryable' });
    expect(Date.now() - t0).toBeLessThan(2_000);
  });
});

describe('isExportRetryable', () => {
  it('retries 429 and 5xx only', () => {
    expect([429, 500, 502, 503, 504].every(isExportRetryable)).toBe(true);
    expect([400, 401, 403, 404, 413, 415].some(isExportRetryable)).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });
});
