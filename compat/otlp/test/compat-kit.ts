// Shared pieces of the compatibility suite: a real Vigil server listening on a port, the fake
// OpenAI server scripted with the suite's one scenario, a real tracer provider exporting OTLP
// protobuf to Vigil, and a reader for what Vigil stored. Each library's test file drives its own
// library through the scenario and asserts what a user would see in Vigil.
//
// The scenario (the same for every library): 5 agent runs of one support agent; each run makes 3
// model calls: the first asks for `lookup_order` (succeeds), the second for `refund_order` (the
// tool throws), the third answers in text, except in the last run, where the model API answers
// the third call with HTTP 500 and the run fails.
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { RunRecord, TokenSplit } from '@vigil/protocol';
import { expect } from 'vitest';
import { httpError, startFakeModelServer, text, toolCalls, type FakeModelServer, type FakeReply } from '../../../examples/fake-model/index.js';
import type { VigilServer } from '../../../packages/server/src/app/server.js';
import { startTestServer } from '../../../packages/server/test/helpers/test-server.js';

export const RUNS = 5;
export const MODEL = 'gpt-4o-mini';
export const SERVICE = 'support-service';
export const AGENT = 'support_bot';
/** Usage of every successful model call: OpenAI counts cached input inside input. */
export const USAGE = { input: 120, output: 30, cachedInput: 64 };
export const REFUND_ERROR = 'refund service unavailable';

/** The fake model's replies for run `i` (0-based): tool, failing tool, then text or HTTP 500. */
export function scriptFor(i: number): FakeReply[] {
  return [
    toolCalls([{ name: 'lookup_order', arguments: { id: 100 + i }, id: `call_lookup_${i}` }], { usage: USAGE }),
    toolCalls([{ name: 'refund_order', arguments: { id: 100 + i }, id: `call_refund_${i}` }], { usage: USAGE }),
    i === RUNS - 1 ? httpError(500, { message: 'the model is overloaded' }) : text(`Order ${100 + i} is on its way.`, { usage: USAGE }),
  ];
}

export const lookupOrder = (id: number) => ({ id, status: 'shipped' });
export const refundOrder = (): never => {
  throw new Error(REFUND_ERROR);
};

export interface Compat {
  vigil: VigilServer & { key: string };
  url: string;
  fake: FakeModelServer;
  close(): Promise<void>;
}

export async function startCompat(): Promise<Compat> {
  const vigil = await startTestServer();
  const url = await vigil.app.listen({ port: 0, host: '127.0.0.1' });
  const fake = await startFakeModelServer();
  return {
    vigil,
    url,
    fake,
    async close() {
      await fake.close();
      await vigil.close();
    },
  };
}

/** An application's tracer provider: global, Node's async context, batching OTLP/protobuf to Vigil. */
export function startProvider(compat: Compat, serviceName = SERVICE): NodeTracerProvider {
  const exporter = new OTLPTraceExporter({ url: `${compat.url}/v1/traces`, headers: { Authorization: `Bearer ${compat.vigil.key}` } });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  return provider;
}

/** Undoes provider.register(), so the next test file's provider starts clean. */
export function resetGlobalTracing(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}

/** Every run Vigil stored, oldest first, with tool calls and steps. */
export async function storedRuns(compat: Compat): Promise<RunRecord[]> {
  const { store, defaultProject } = compat.vigil;
  const page = await store.listRuns(defaultProject.id, { from: 0, to: Date.now() + 3_600_000, limit: 200 });
  const runs = await Promise.all(page.runs.map((r) => store.getRun(defaultProject.id, r.run_id)));
  return runs.filter((r): r is RunRecord => r !== null).sort((a, b) => a.timestamp - b.timestamp);
}

/** Runs the OTLP sweep as if `assemble_after` had passed: for traces whose root never came. */
export async function sweepLater(compat: Compat): Promise<void> {
  await compat.vigil.otlp.sweep(Date.now() + compat.vigil.otlp.config.assembleAfterMs + 1);
}

export interface Wall {
  startMs: number;
  endMs: number;
}

/** Runs `fn` and notes when it started and ended, to bound the run's times Vigil stored. */
export async function timed(fn: () => Promise<unknown>): Promise<Wall> {
  const startMs = Date.now();
  await fn().catch(() => undefined);
  return { startMs, endMs: Date.now() };
}

/** Tokens of `calls` successful model calls of the scenario, as the library reports them. */
export function scenarioTokens(calls: number, cachedPerCall: number): TokenSplit {
  return { input: USAGE.input * calls, output: USAGE.output * calls, cached_input: cachedPerCall * calls, reasoning: 0 };
}

export interface ScenarioExpectation {
  agentName: string;
  /** Model calls each run shows (the last run's failed call is missing where the library never ends its span). */
  iterations: number[];
  /** Cached input tokens per successful call: USAGE.cachedInput where the library emits them, else 0. */
  cachedPerCall: number;
  /** Tool calls each run shows, as [name, status]. */
  toolCalls: [string, string][];
  /** The failing tool's error message contains this, where the library keeps it. */
  toolError?: string;
  walls: Wall[];
  /** Also expected on every run, e.g. session_id. */
  extra?: (i: number) => Partial<RunRecord>;
}

/** The checks every library's runs must pass: what a user reads off each run in Vigil. */
export function expectScenario(compat: Compat, runs: RunRecord[], want: ScenarioExpectation): void {
  expect(runs.map((r) => [r.agent_name, r.completion_status, r.iterations])).toEqual(
    want.iterations.map((n, i) => [want.agentName, i === RUNS - 1 ? 'error' : 'success', n]),
  );
  runs.forEach((run, i) => {
    const successfulCalls = i === RUNS - 1 ? 2 : 3;
    const tokens = scenarioTokens(successfulCalls, want.cachedPerCall);
    expect(run).toMatchObject({ model: MODEL, tokens, tokens_used: (USAGE.input + USAGE.output) * successfulCalls, ...want.extra?.(i) });
    // Priced from the tokens, cached input at its own rate; never zero for a run that used tokens.
    expect(run.cost_usd).toBe(compat.vigil.prices.price(MODEL, tokens));
    expect(run.cost_usd).toBeGreaterThan(0);
    expect(run.tool_calls.map((t) => [t.name, t.status])).toEqual(want.toolCalls);
    const failedTool = run.tool_calls.find((t) => t.status === 'error');
    if (failedTool) expect(failedTool.error?.message ?? '').toContain(want.toolError ?? '');
    // The run's own times, inside the wall-clock time the test saw it take.
    const wall = want.walls[i]!;
    expect(run.duration_ms).toBeGreaterThan(0);
    expect(run.timestamp).toBeGreaterThanOrEqual(wall.startMs - 1);
    expect(run.ended_at).toBeLessThanOrEqual(wall.endMs + 1);
    expect(run.duration_ms).toBeLessThanOrEqual(wall.endMs - wall.startMs + 2);
  });
  expect(runs[RUNS - 1]!.error).not.toBeNull();
}
