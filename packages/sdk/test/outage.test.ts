// The Vigil server is down for the whole agent workload: the agent's results and latency are
// unaffected, the SDK's memory stays bounded and drops are counted; when the server comes back,
// every queued run arrives exactly once.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeModelServer, text } from '../../../examples/fake-model/index.js';
import { flush, monitorOpenAI, run, stats } from '../src/index.js';
import { configureFor, resetSdk, startVigil } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

afterEach(async () => {
  // The server may still be down: give the final flush little time.
  await resetSdk(200);
});

/** Finished runs are queued one setImmediate turn after the agent gets its result. */
const settle = () => new Promise((r) => setImmediate(r));

/**
 * A server that is down: it holds its port (a closed port could be taken by another test's server
 * and answer 4xx) and drops every connection without an answer.
 */
const downServer = (): Promise<Receiver> => startReceiver(0, () => ({ reset: true }));

const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
};

describe('when the Vigil server is down', () => {
  it('leaves agent results alone, bounds the queue, counts drops, and delivers the queue exactly once when the server returns', async () => {
    const server = await downServer();
    const port = server.port;
    const MAX_QUEUE = 300;
    const BATCH = 100;
    configureFor(`http://127.0.0.1:${port}`, { maxQueueSize: MAX_QUEUE, maxBatchSize: BATCH, scheduledDelayMs: 10, maxBackoffMs: 100, exportTimeoutMs: 3_000, requestTimeoutMs: 2_000 });
    const fake = await startFakeModelServer({ defaultReply: text('pong'), recordRequests: false });
    const openai = monitorOpenAI(new OpenAI({ baseURL: fake.baseURL, apiKey: 'sk', maxRetries: 0 }), { agent: 'outage_bot' });

    const RUNS = 1_000;
    const ids: string[] = [];
    const slowest: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const id = `outage-${i}`;
      ids.push(id);
      const t0 = performance.now();
      const answer = await run('outage_bot', async () => (await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: String(i) }] })).choices[0]!.message.content, { runId: id });
      slowest.push(performance.now() - t0);
      expect(answer).toBe('pong');
      const s = stats();
      expect(s.queued).toBeLessThanOrEqual(MAX_QUEUE);
      expect(s.inFlight).toBeLessThanOrEqual(BATCH);
    }
    await fake.close();
    slowest.sort((a, b) => a - b);
    // No run waits on the exporter: the p99 run time is the model call, far below the 2 s request timeout.
    expect(slowest[Math.floor(RUNS * 0.99)]!).toBeLessThan(250);

    await settle();
    const down = stats();
    expect(down.sent).toBe(0);
    expect(down.rejected).toBe(0);
    expect(down.queued).toBeLessThanOrEqual(MAX_QUEUE);
    expect(down.dropped).toBe(RUNS - down.queued - down.inFlight);
    expect(down.failedExports).toBeGreaterThan(0);

    // The server comes back on the same port, behind a recorder that counts what is delivered.
    const vigil = await startVigil();
    const recorder = server;
    recorder.answer(() => ({ forward: vigil.endpoint }));
    try {
      expect(await flush(10_000)).toBe(true);
      const up = stats();
      expect(up.queued).toBe(0);
      const delivered = recorder.acceptedRunIds;
      expect(new Set(delivered).size).toBe(delivered.length);
      expect({ delivered: delivered.length, ...up }).toEqual({ delivered: up.sent, ...up, rejected: 0, queued: 0, inFlight: 0 });
      // Drop-oldest: the queue kept the newest runs, delivered in order. The one batch that was
      // in flight when the server came back may hold older runs; it is delivered, not dropped.
      const order = delivered.map((id) => Number(id.slice('outage-'.length)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(delivered.slice(-MAX_QUEUE)).toEqual(ids.slice(RUNS - MAX_QUEUE));
      expect(delivered.length).toBeLessThanOrEqual(MAX_QUEUE + BATCH);
      expect(delivered.length).toBe(RUNS - up.dropped);
      const stored = await vigil.listRuns('outage_bot');
      expect(stored).toHaveLength(delivered.length);
    } finally {
      await recorder.close();
      await vigil.close();
    }
  });

  it('keeps memory flat however many runs finish during the outage', async () => {
    const server = await downServer();
    configureFor(`http://127.0.0.1:${server.port}`, { maxQueueSize: 1_000, maxBatchSize: 200, maxBackoffMs: 1_000, requestTimeoutMs: 100 });
    const oneRun = (i: number) =>
      run('memory_bot', async (r) => {
        await r.tool('lookup', async () => 'x'.repeat(100), { i, pad: 'y'.repeat(200) });
        return i;
      });
    for (let i = 0; i < 2_000; i++) await oneRun(i);
    const afterFill = heapMb();
    for (let i = 0; i < 10_000; i++) await oneRun(i);
    await settle();
    const afterMore = heapMb();
    const s = stats();
    expect(s.queued).toBeLessThanOrEqual(1_000);
    expect(s.inFlight).toBeLessThanOrEqual(200);
    expect(s.rejected).toBe(0);
    expect(s.dropped).toBe(12_000 - s.queued - s.inFlight);
    await resetSdk(200);
    await server.close();
    // Five times more runs, same memory: growth within noise (a leak of one run each would be > 10 MB).
    expect(afterMore - afterFill).toBeLessThan(5);
  });
});
