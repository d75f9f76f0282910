// Trace assembly over time: traces split over requests, sweeps at given times, the late-span
// window, runs that change shape when an agent span arrives late, restarts, and overload. Runs on
// SQLite and, when a server answers, on PostgreSQL (saying so when it skips).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it as base } from 'vitest';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';
import type { VigilServer, VigilServerOptions } from '../../../src/app/server.js';
import { auth, startTestServer } from '../../helpers/test-server.js';
import { postgresUnreachable, testSchema } from '../../store/postgres-test-db.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const T0_NS = 1_768_000_000_000n * 1_000_000n;

const opened: (VigilServer & { key: string })[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const v of opened.splice(0)) await v.close();
  for (const c of cleanups.splice(0)) await c();
});

/** Opens stores of one database: `open()` twice gives two processes' view of the same data (a restart). */
interface Engine {
  name: string;
  database(): { open(options?: { maxPendingJobs?: number }): Store };
}

const sqlite: Engine = {
  name: 'SQLite',
  database() {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-otlp-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return { open: (options = {}) => createSqliteStore({ path: join(dir, 'vigil.db'), ...options }) };
  },
};
const postgres: Engine = {
  name: 'PostgreSQL',
  database() {
    const db = testSchema();
    cleanups.push(() => db.destroy());
    return { open: (options = {}) => db.open(options) };
  },
};
const unreachable = await postgresUnreachable();

async function serverOn(store: Store, options: VigilServerOptions = {}) {
  const v = await startTestServer({ ...options, store });
  opened.push(v);
  return v;
}

interface SpanSpec {
  id: string;
  parent?: string;
  name: string;
  startMs: number;
  endMs: number;
  attrs: Record<string, string | number>;
  error?: string;
}

const attr = (key: string, v: string | number) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } });
const body = (spans: SpanSpec[], trace = TRACE) => ({
  resourceSpans: [{
    resource: { attributes: [attr('service.name', 'svc')] },
    scopeSpans: [{ spans: spans.map((s) => ({
      traceId: trace, spanId: s.id, parentSpanId: s.parent ?? '', name: s.name, kind: 1,
      startTimeUnixNano: String(T0_NS + BigInt(s.startMs) * 1_000_000n), endTimeUnixNano: String(T0_NS + BigInt(s.endMs) * 1_000_000n),
      attributes: Object.entries(s.attrs).map(([k, v]) => attr(k, v)),
      ...(s.error ? { status: { code: 2, message: s.error } } : {}),
    })) }],
  }],
});

const agent = (id: string, parent?: string): SpanSpec => ({ id, parent, name: 'invoke_agent a', startMs: 0, endMs: 100, attrs: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'a' } });
const chat = (id: string, parent: string | undefined, tokens: number): SpanSpec => ({
  id, parent, name: 'chat', startMs: 10, endMs: 20, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': tokens, 'gen_ai.usage.output_tokens': 1 },
});
const tool = (id: string, parent: string): SpanSpec => ({ id, parent, name: 'execute_tool t', startMs: 30, endMs: 40, attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 't' } });

async function post(v: VigilServer & { key: string }, spans: SpanSpec[], trace = TRACE) {
  return v.app.inject({ method: 'POST', url: '/v1/traces', payload: body(spans, trace), headers: { ...auth(v.key), 'content-type': 'application/json' } });
}
const runIds = async (v: VigilServer) => (await v.store.listRuns(v.defaultProject.id, { from: 0, to: 8e12, limit: 100 })).runs.map((r) => r.run_id).sort();

describe.each([
  { engine: sqlite, skip: null },
  { engine: postgres, skip: unreachable },
])('trace assembly on $engine.name', ({ engine, skip }) => {
  const it = skip === null ? base : base.skip;
  if (skip !== null) console.warn(`SKIPPED: trace assembly on PostgreSQL: ${skip}`);
  let db: ReturnType<Engine['database']>;
  const server = (options: VigilServerOptions = {}) => {
    db = engine.database();
    return open(options);
  };
  const open = (options: VigilServerOptions = {}) => serverOn(db.open(), options);

  it('holds a trace without its root until the root arrives, then writes one run from every request', async () => {
    const v = await server();
    expect((await post(v, [chat('1000000000000002', '1000000000000001', 5)])).statusCode).toBe(200);
    expect((await post(v, [tool('1000000000000003', '1000000000000001')])).statusCode).toBe(200);
    expect(await runIds(v)).toEqual([]);
    await post(v, [agent('1000000000000001')]);
    const run = await v.store.getRun(v.defaultProject.id, TRACE);
    expect(run).toMatchObject({ agent_name: 'a', iterations: 1, tokens_used: 6 });
    expect(run!.tool_calls.map((t) => t.name)).toEqual(['t']);
  });

  it('assembles a rootless trace only after assemble_after has passed since its last span', async () => {
    const v = await server({ now: () => 1_000_000 });
    await post(v, [agent('2000000000000001', '9999999999999999'), chat('2000000000000002', '2000000000000001', 3)]);
    expect((await v.otlp.sweep(1_000_000 + v.otlp.config.assembleAfterMs - 1)).assembled).toBe(0);
    expect((await v.otlp.sweep(1_000_000 + v.otlp.config.assembleAfterMs + 1)).assembled).toBe(1);
    expect(await runIds(v)).toEqual([`${TRACE}-2000000000000001`]);
  });

  it('writes a failed agent run at once though its parent never ended, and rewrites it if the parent comes', async () => {
    const v = await server({ now: () => 1_000_000 });
    const failed: SpanSpec = { ...agent('2100000000000002', '2100000000000001'), error: 'the model is overloaded' };
    await post(v, [chat('2100000000000003', '2100000000000002', 4), failed]);
    // No sweep: a run that threw is over, whatever its wrapper span does.
    expect(await runIds(v)).toEqual([`${TRACE}-2100000000000002`]);
    expect(await v.store.getRun(v.defaultProject.id, `${TRACE}-2100000000000002`)).toMatchObject({ completion_status: 'error', iterations: 1 });

    await post(v, [{ ...agent('2100000000000001'), error: 'the model is overloaded' }]);
    expect(await runIds(v)).toEqual([TRACE]);
  });

  it('replaces runs written early when the agent span that owns them arrives later', async () => {
    const v = await server({ now: () => 1_000_000 });
    await post(v, [chat('3000000000000002', '3000000000000001', 10), chat('3000000000000003', '3000000000000001', 20)]);
    await v.otlp.sweep(1_000_000 + v.otlp.config.assembleAfterMs + 1);
    // The agent span was still running: the model calls under it became one run for now, not a
    // success, as the span that would say how the run ended had not come.
    expect(await runIds(v)).toEqual([`${TRACE}-3000000000000001`]);
    expect(await v.store.getRun(v.defaultProject.id, `${TRACE}-3000000000000001`)).toMatchObject({
      iterations: 2, completion_status: 'error', error: { type: 'RootSpanMissing' },
    });

    await post(v, [agent('3000000000000001')]);
    expect(await runIds(v)).toEqual([TRACE]);
    expect(await v.store.getRun(v.defaultProject.id, TRACE)).toMatchObject({ iterations: 2, tokens_used: 32 });
  });

  it('refuses spans that arrive after the late-span window as a partial success, and keeps the run', async () => {
    let now = 1_000_000;
    const v = await server({ now: () => now });
    await post(v, [agent('4000000000000001'), chat('4000000000000002', '4000000000000001', 10)]);
    now += v.otlp.config.lateSpanWindowMs + 1;
    expect((await v.otlp.sweep(now)).closed).toBe(1);

    const late = await post(v, [tool('4000000000000003', '4000000000000001')]);
    expect(late.statusCode).toBe(200);
    expect(late.json().partialSuccess).toMatchObject({ rejectedSpans: '1', errorMessage: expect.stringContaining('late_span_window') });
    const run = await v.store.getRun(v.defaultProject.id, TRACE);
    expect(run).toMatchObject({ iterations: 1, tool_calls: [] });
  });

  it('takes a late span within the window and rewrites the run', async () => {
    let now = 1_000_000;
    const v = await server({ now: () => now });
    await post(v, [agent('5000000000000001')]);
    now += v.otlp.config.lateSpanWindowMs - 1_000;
    await v.otlp.sweep(now);
    const res = await post(v, [tool('5000000000000003', '5000000000000001')]);
    expect(res.json()).toEqual({});
    expect((await v.store.getRun(v.defaultProject.id, TRACE))!.tool_calls).toHaveLength(1);
  });

  it('keeps acknowledged spans across a restart: the root sent after it completes the run', async () => {
    const first = await server();
    expect((await post(first, [chat('6000000000000002', '6000000000000001', 7), tool('6000000000000003', '6000000000000001')])).statusCode).toBe(200);
    await first.close();
    opened.splice(opened.indexOf(first), 1);

    const second = await open();
    await post(second, [agent('6000000000000001')]);
    const run = await second.store.getRun(second.defaultProject.id, TRACE);
    expect(run).toMatchObject({ iterations: 1, tokens_used: 8 });
    expect(run!.tool_calls).toHaveLength(1);
  });

  it('ignores traces with no agent, model or tool span', async () => {
    const v = await server();
    const res = await post(v, [{ id: '7000000000000001', name: 'GET /health', startMs: 0, endMs: 1, attrs: { 'http.route': '/health' } }]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    expect(await runIds(v)).toEqual([]);
    expect(await v.store.getOtlpTrace(v.defaultProject.id, TRACE)).toBeNull();
  });

  it('answers 429 with Retry-After when the store is overloaded, and stores nothing', async () => {
    db = engine.database();
    const v = await serverOn(db.open({ maxPendingJobs: 0 }));
    const res = await post(v, [agent('8000000000000001')]);
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json().details).toContainEqual(expect.objectContaining({ reason: 'OVERLOADED' }));
    expect(await v.store.getOtlpTrace(v.defaultProject.id, TRACE)).toBeNull();
  });
});
