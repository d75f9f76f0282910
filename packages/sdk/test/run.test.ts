// vigil.run(): statuses, tool recording and pass-through of the agent's own values and errors.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { flush, run, VigilRunTimeoutError, VigilToolTimeoutError } from '../src/index.js';
import { configureFor, resetSdk } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});
afterEach(async () => {
  await resetSdk();
  receiver.requests.length = 0;
});

interface SentRun {
  run_id: string;
  completion_status: string;
  error?: { type?: string; message?: string };
  tool_calls: Array<{ name: string; status: string; error?: { type?: string; message?: string }; duration_ms: number }>;
  transitions: Array<{ state: string }>;
  tags?: Record<string, string>;
  session_id?: string;
}

async function sent(): Promise<SentRun[]> {
  await flush();
  return receiver.requests.filter((r) => r.url === '/v1/runs').flatMap((r) => (r.body as { runs: SentRun[] }).runs);
}

describe('vigil.run', () => {
  it('names each run with a UUIDv7 whose time is the run\'s start, so ids sort by time', async () => {
    configureFor(receiver.url);
    const before = Date.now();
    await run('id_bot', () => 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await run('id_bot', () => 2);
    const after = Date.now();
    const ids = (await sent()).map((r) => r.run_id);
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      // Version 7, variant 10xx (RFC 9562).
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(after);
    }
    expect(ids[0]! < ids[1]!).toBe(true);
  });

  it('returns what the agent returns and rethrows the very error it throws', async () => {
    configureFor(receiver.url);
    expect(await run('pass_bot', () => 42)).toBe(42);
    const boom = new TypeError('boom');
    await expect(run('pass_bot', () => Promise.reject(boom))).rejects.toBe(boom);
    const [ok, failed] = await sent();
    expect(ok!.completion_status).toBe('success');
    expect(failed).toMatchObject({ completion_status: 'error', error: { type: 'TypeError', message: 'boom' } });
  });

  it('records a tool that throws as error and rethrows its error to the agent', async () => {
    configureFor(receiver.url);
    const toolError = new Error('ticketing down');
    await run('tool_bot', async (r) => {
      await expect(r.tool('create_ticket', () => Promise.reject(toolError), { title: 't' })).rejects.toBe(toolError);
      expect(await r.tool('search', (args: { q: string }) => `found ${args.q}`, { q: 'x' })).toBe('found x');
    });
    const [rec] = await sent();
    expect(rec!.completion_status).toBe('success');
    expect(rec!.tool_calls.map((t) => [t.name, t.status, t.error?.message])).toEqual([
      ['create_ticket', 'error', 'ticketing down'],
      ['search', 'success', undefined],
    ]);
  });

  it('times a tool out with options.timeoutMs, aborting its signal', async () => {
    configureFor(receiver.url);
    let aborted = false;
    await run('timeout_bot', async (r) => {
      const err = await r
        .tool('slow', (_a, { signal }) => new Promise((res) => {
          signal.addEventListener('abort', () => (aborted = true));
          setTimeout(res, 300);
        }), undefined, { timeoutMs: 20 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VigilToolTimeoutError);
    });
    expect(aborted).toBe(true);
    const [rec] = await sent();
    expect(rec!.completion_status).toBe('success');
    expect(rec!.tool_calls[0]).toMatchObject({ name: 'slow', status: 'timeout' });
  });

  it('ends as gave_up or cancelled when the agent says so', async () => {
    configureFor(receiver.url);
    await run('quit_bot', (r) => r.giveUp('no answer in the knowledge base'));
    await run('quit_bot', (r) => r.cancel('user left'));
    const runs = await sent();
    expect(runs.map((r) => r.completion_status)).toEqual(['gave_up', 'cancelled']);
    expect(runs[0]!.transitions.at(-1)!.state).toBe('gave_up');
  });

  it('ends as timeout when the run outlives its timeoutMs', async () => {
    configureFor(receiver.url);
    let signalled = false;
    const err = await run(
      'slow_bot',
      (r) => new Promise((res) => {
        r.signal.addEventListener('abort', () => (signalled = true));
        setTimeout(res, 300);
      }),
      { timeoutMs: 20 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VigilRunTimeoutError);
    expect(signalled).toBe(true);
    const [rec] = await sent();
    expect(rec!.completion_status).toBe('timeout');
  });

  it('classifies an abort as cancelled and keeps ids, tags and session', async () => {
    configureFor(receiver.url);
    await run('abort_bot', () => Promise.reject(new DOMException('stopped', 'AbortError')), { runId: 'r-abort', sessionId: 's1', tags: { tier: 'gold' } }).catch(() => undefined);
    const [rec] = await sent();
    expect(rec).toMatchObject({ run_id: 'r-abort', completion_status: 'cancelled', session_id: 's1', tags: { tier: 'gold' } });
  });

  it('keeps nested runs apart', async () => {
    configureFor(receiver.url);
    await run('outer_bot', async (outer) => {
      await outer.tool('a', () => 1);
      await run('inner_bot', (inner) => inner.tool('b', () => 2));
      await outer.tool('c', () => 3);
    });
    const runs = await sent();
    const byAgent = Object.fromEntries(runs.map((r) => [(r as unknown as { agent_name: string }).agent_name, r.tool_calls.map((t) => t.name)]));
    expect(byAgent).toEqual({ inner_bot: ['b'], outer_bot: ['a', 'c'] });
  });
});
