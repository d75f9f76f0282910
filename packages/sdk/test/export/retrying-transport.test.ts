import { describe, expect, it } from 'vitest';
import type { ExportResult, Transport } from '../../src/export/export-result.js';
import { backoffDelay, createRetryingTransport } from '../../src/export/retrying-transport.js';

/** A transport that answers from a script and a clock that only moves when the retrier sleeps. */
function scripted(results: ExportResult[]) {
  let t = 1_000_000;
  const sleeps: number[] = [];
  const timeouts: number[] = [];
  let calls = 0;
  const inner: Transport = {
    send: async (_body, timeoutMs) => {
      timeouts.push(timeoutMs);
      return results[Math.min(calls++, results.length - 1)]!;
    },
  };
  return {
    inner,
    sleeps,
    timeouts,
    calls: () => calls,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

const body = new Uint8Array([1]);
const retry = (extra: Partial<ExportResult & { kind: 'retryable' }> = {}): ExportResult => ({ kind: 'retryable', message: 'down', ...extra });

describe('createRetryingTransport', () => {
  it('retries retryable results with growing, jittered backoff until success', async () => {
    const s = scripted([retry(), retry(), retry(), { kind: 'success', status: 200 }]);
    const t = createRetryingTransport(s.inner, { maxBackoffMs: 30_000, now: s.now, sleep: s.sleep, random: () => 0.5 });
    expect(await t.send(body, s.now() + 60_000, 10_000)).toEqual({ kind: 'success', status: 200 });
    expect(s.sleeps).toEqual([1_000, 2_000, 4_000]);
  });

  it('lets Retry-After win over its own backoff', async () => {
    const s = scripted([retry({ status: 429, retryAfterMs: 7_000 }), { kind: 'success', status: 200 }]);
    const t = createRetryingTransport(s.inner, { maxBackoffMs: 30_000, now: s.now, sleep: s.sleep, random: () => 0.5 });
    await t.send(body, s.now() + 60_000, 10_000);
    expect(s.sleeps).toEqual([7_000]);
  });

  it('does not retry when the underlying transport fails for good', async () => {
    const s = scripted([{ kind: 'failure', status: 400, message: 'bad' }]);
    const t = createRetryingTransport(s.inner, { maxBackoffMs: 30_000, now: s.now, sleep: s.sleep });
    expect((await t.send(body, s.now() + 60_000, 10_000)).kind).toBe('failure');
    expect(s.calls()).toBe(1);
  });

  it('stops before a retry would pass the deadline, and hands back the Retry-After', async () => {
    const s = scripted([retry({ status: 503, retryAfterMs: 20_000 })]);
    const t = createRetryingTransport(s.inner, { maxBackoffMs: 30_000, now: s.now, sleep: s.sleep });
    const r = await t.send(body, s.now() + 10_000, 10_000);
    expect(r).toMatchObject({ kind: 'retryable', retryAfterMs: 20_000 });
    expect(s.calls()).toBe(1);
    expect(s.sleeps).toEqual([]);
  });

  it('gives each attempt at most the time left before the deadline', async () => {
    const s = scripted([retry(), { kind: 'success', status: 200 }]);
    const t = createRetryingTransport(s.inner, { maxBackoffMs: 30_000, now: s.now, sleep: s.sleep, random: () => 0.5 });
    await t.send(body, s.now() + 3_000, 10_000);
    expect(s.timeouts).toEqual([3_000, 2_000]);
  });

  it('stops after its maximum number of attempts', async () => {
    const s = scripted([retry()]);
    const t = createRetryingTransport(s.inner, { maxBackoffMs: 10, maxAttempts: 4, now: s.now, sleep: s.sleep });
    expect((await t.send(body, s.now() + 1e9, 10_000)).kind).toBe('retryable');
    expect(s.calls()).toBe(4);
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay, caps at the maximum and jitters by at most 20%', () => {
    expect([1, 2, 3, 4, 10].map((a) => backoffDelay(a, 1_000, 30_000, () => 0.5))).toEqual([1_000, 2_000, 4_000, 8_000, 30_000]);
    expect(backoffDelay(1, 1_000, 30_000, () => 0)).toBe(800);
    expect(backoffDelay(1, 1_000, 30_000, () => 1)).toBe(1_200);
    expect(backoffDelay(20, 1_000, 30_000, () => 1)).toBe(30_000);
  });
});
