import { afterEach, describe, expect, it } from 'vitest';
import { createBatchExporter, type BatchExporter } from '../../src/export/batch-exporter.js';
import { createHttpTransport } from '../../src/export/http-transport.js';
import { createRetryingTransport } from '../../src/export/retrying-transport.js';
import { createLogger } from '../../src/logger.js';
import { startReceiver, type Answer, type Receiver } from '../receiver.js';

let receiver: Receiver | undefined;
let exporter: BatchExporter | undefined;
afterEach(async () => {
  await exporter?.shutdown(200);
  await receiver?.close();
  receiver = undefined;
  exporter = undefined;
});

async function setup(answer: (n: number) => Answer, opts: Partial<Parameters<typeof createBatchExporter>[0]> = {}) {
  let n = 0;
  receiver = await startReceiver(0, () => answer(n++));
  const lines: string[] = [];
  exporter = createBatchExporter({
    transport: createRetryingTransport(createHttpTransport({ url: `${receiver.url}/v1/runs`, apiKey: 'k' }), { maxBackoffMs: 50, initialBackoffMs: 10 }),
    logger: createLogger('debug', (level, m) => lines.push(`${level} ${m}`)),
    maxQueueSize: 100,
    maxBatchSize: 10,
    maxBatchBytes: 1_000_000,
    scheduledDelayMs: 20,
    exportTimeoutMs: 2_000,
    requestTimeoutMs: 500,
    maxBackoffMs: 50,
    ...opts,
  });
  return { receiver, exporter, lines };
}

const runJson = (i: number) => JSON.stringify({ run_id: `r${i}`, agent_name: 'a', completion_status: 'success' });
const ids = (r: Receiver) => r.requests.map((q) => (q.body as { runs: Array<{ run_id: string }> }).runs.map((x) => x.run_id));

describe('createBatchExporter', () => {
  it('sends full batches at once and the rest after the scheduled delay', async () => {
    const { receiver, exporter } = await setup(() => ({ status: 200 }));
    for (let i = 0; i < 25; i++) exporter.submit(runJson(i));
    // No flush(): the two full batches go at once, the last five when the 20 ms timer fires.
    for (let i = 0; i < 200 && exporter.stats().sent < 25; i++) await new Promise((r) => setTimeout(r, 10));
    expect(ids(receiver).map((b) => b.length)).toEqual([10, 10, 5]);
    expect(exporter.stats()).toMatchObject({ sent: 25, queued: 0, dropped: 0 });
  });

  it('retries a 429 after its Retry-After and delivers each run once', async () => {
    const { receiver, exporter } = await setup((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '0.05' } } : { status: 200 }));
    for (let i = 0; i < 3; i++) exporter.submit(runJson(i));
    expect(await exporter.flush(2_000)).toBe(true);
    expect(receiver.acceptedRunIds).toEqual(['r0', 'r1', 'r2']);
    expect(receiver.requests).toHaveLength(2);
  });

  it('never retries a 400, counts the runs as rejected and logs once', async () => {
    const { receiver, exporter, lines } = await setup(() => ({ status: 400, body: { error: { code: 'VALIDATION_FAILED', message: 'bad' } } }));
    for (let i = 0; i < 3; i++) exporter.submit(runJson(i));
    await exporter.flush(1_000);
    for (let i = 3; i < 6; i++) exporter.submit(runJson(i));
    await exporter.flush(1_000);
    expect(receiver.requests).toHaveLength(2);
    expect(exporter.stats()).toMatchObject({ rejected: 6, sent: 0 });
    expect(lines.filter((l) => l.startsWith('error'))).toHaveLength(1);
  });

  it('halves a batch the server finds too large', async () => {
    const { receiver, exporter } = await setup((n) => (n === 0 ? { status: 413 } : { status: 200 }));
    for (let i = 0; i < 8; i++) exporter.submit(runJson(i));
    expect(await exporter.flush(2_000)).toBe(true);
    expect(ids(receiver).map((b) => b.length)).toEqual([8, 4, 4]);
  });

  it('drops the oldest runs when the queue is full, counts them and warns once per burst', async () => {
    const { receiver, exporter, lines } = await setup(() => ({ hang: true }), { maxQueueSize: 20, maxBatchSize: 5, requestTimeoutMs: 2_000 });
    for (let i = 0; i < 50; i++) exporter.submit(runJson(i));
    const s = exporter.stats();
    expect(s.queued).toBe(20);
    expect(s.dropped).toBe(50 - 20 - s.inFlight);
    expect(lines.filter((l) => l.includes('queue full'))).toHaveLength(1);
    receiver.answer(() => ({ status: 200 }));
  });

  it('splits batches by byte size', async () => {
    const { receiver, exporter, lines } = await setup(() => ({ status: 200 }), { maxBatchBytes: 200 });
    for (let i = 0; i < 6; i++) exporter.submit(runJson(i));
    expect(await exporter.flush(2_000)).toBe(true);
    expect(ids(receiver).map((b) => b.length)).toEqual([3, 3]);
    expect(receiver.requests.every((q) => JSON.stringify(q.body).length <= 200)).toBe(true);
    expect(lines).toEqual([]);
    expect(receiver.acceptedRunIds).toHaveLength(6);
  });

  it('shuts down once however often it is called, within its timeout, and drops later runs', async () => {
    const { exporter } = await setup(() => ({ hang: true }), { requestTimeoutMs: 5_000 });
    exporter.submit(runJson(1));
    const t0 = Date.now();
    const a = exporter.shutdown(100);
    const b = exporter.shutdown(100);
    expect(a).toBe(b);
    await a;
    expect(Date.now() - t0).toBeLessThan(1_000);
    exporter.submit(runJson(2));
    expect(exporter.stats().dropped).toBe(1);
  });
});
