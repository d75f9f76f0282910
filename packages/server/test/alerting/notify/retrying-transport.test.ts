// Delivery against real local receivers that misbehave: 5xx then success, 429 with Retry-After,
// a 4xx that must not be retried, a receiver that hangs, and one that is not there at all.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpTransport } from '../../../src/alerting/notify/http-transport.js';
import { isRetryableStatus, parseRetryAfter } from '../../../src/alerting/notify/is-retryable.js';
import { withRetry } from '../../../src/alerting/notify/retrying-transport.js';
import { startReceiver, type Receiver } from '../helpers.js';

describe('retrying HTTP transport', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  const fast = { initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 3_000 };

  it('retries on 500 and 503 until the receiver answers 2xx', async () => {
    receiver.behave((_r, n) => ({ status: n === 1 ? 500 : n === 2 ? 503 : 200 }));
    const result = await withRetry(createHttpTransport({ url: receiver.url, timeoutMs: 1_000 }), fast).send({ hello: 1 });
    expect(result).toMatchObject({ kind: 'success', status: 200, attempts: 3 });
    expect(receiver.received.map((r) => r.body)).toEqual([{ hello: 1 }, { hello: 1 }, { hello: 1 }]);
  });

  it('does not retry a 400 or a 404', async () => {
    receiver.behave(() => ({ status: 404 }));
    const result = await withRetry(createHttpTransport({ url: receiver.url, timeoutMs: 1_000 }), fast).send({});
    expect(result).toMatchObject({ kind: 'failure', status: 404, attempts: 1 });
    expect(receiver.received).toHaveLength(1);
  });

  it('waits as long as Retry-After says on 429', async () => {
    receiver.behave((_r, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const started = Date.now();
    const result = await withRetry(createHttpTransport({ url: receiver.url, timeoutMs: 1_000 }), fast).send({});
    expect(result).toMatchObject({ kind: 'success', attempts: 2 });
    expect(receiver.received[1]!.at - receiver.received[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(2_900);
  });

  it('gives a hanging receiver one timeout per attempt and gives up at the deadline', async () => {
    receiver.behave(() => 'hang');
    const started = Date.now();
    const result = await withRetry(createHttpTransport({ url: receiver.url, timeoutMs: 200 }), { ...fast, deadlineMs: 700 }).send({});
    expect(result.kind).toBe('failure');
    expect(result.kind === 'failure' && result.error).toContain('no answer within 200 ms');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('treats a refused connection as a network error worth retrying', async () => {
    const url = receiver.url;
    await receiver.close();
    const result = await createHttpTransport({ url, timeoutMs: 500 }).send({});
    expect(result.kind).toBe('retryable');
    receiver = await startReceiver();
  });

  it('names 429 and every 5xx retryable and no other status', () => {
    expect([429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 400, 401, 403, 404, 413, 422].some(isRetryableStatus)).toBe(false);
    expect(parseRetryAfter('3', 0)).toBe(3_000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 0)).toBe(10_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});
