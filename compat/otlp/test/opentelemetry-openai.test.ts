// OpenTelemetry's own `@opentelemetry/instrumentation-openai` (0.21, the Node 20 line; it
// instruments `openai` < 7) on the real `openai` 6 client, exporting through the real OTLP
// exporter to a real Vigil server. The library records model calls only: no agent or tool spans.
import { createRequire } from 'node:module';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { metrics } from '@opentelemetry/api';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type OpenAIType from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  lookupOrder, MODEL, refundOrder, resetGlobalTracing, RUNS, scriptFor, SERVICE, startCompat, startProvider, storedRuns, timed, USAGE, type Compat, type Wall,
} from './compat-kit.js';

let compat: Compat;
let provider: NodeTracerProvider;
let instrumentation: OpenAIInstrumentation;
let OpenAI: typeof OpenAIType;

beforeEach(async () => {
  compat = await startCompat();
  provider = startProvider(compat);
  instrumentation = new OpenAIInstrumentation();
  // What registerInstrumentations() and NodeSDK do. Without a meter provider the 0.21 line's
  // metric instruments stay undefined, and a call the API rejects throws inside the
  // instrumentation before its span ends: that model call is never exported.
  instrumentation.setTracerProvider(provider);
  instrumentation.setMeterProvider(metrics.getMeterProvider());
  // The instrumentation hooks require(): load the client the CommonJS way after enabling it, as
  // `node --require @opentelemetry/auto-instrumentations-node/register` would.
  OpenAI = (createRequire(import.meta.url)('openai') as { OpenAI: typeof OpenAIType }).OpenAI;
});

afterEach(async () => {
  instrumentation.disable();
  await provider.shutdown();
  resetGlobalTracing();
  await compat.close();
});

const tools: OpenAIType.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'lookup_order', parameters: { type: 'object', properties: { id: { type: 'number' } } } } },
  { type: 'function', function: { name: 'refund_order', parameters: { type: 'object', properties: { id: { type: 'number' } } } } },
];

async function supportRun(client: OpenAIType, i: number): Promise<void> {
  const messages: OpenAIType.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: `Where is order ${100 + i}? Refund it.` }];
  for (let turn = 0; turn < 5; turn++) {
    const message = (await client.chat.completions.create({ model: MODEL, messages, tools })).choices[0]!.message;
    messages.push(message);
    if (!message.tool_calls?.length) return;
    for (const call of message.tool_calls) {
      if (call.type !== 'function') continue;
      const { id } = JSON.parse(call.function.arguments) as { id: number };
      let result: unknown;
      try {
        result = call.function.name === 'lookup_order' ? lookupOrder(id) : refundOrder();
      } catch (err) {
        result = { error: (err as Error).message };
      }
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
    }
  }
}

describe('OpenTelemetry instrumentation-openai 0.21 → OTLP → Vigil', () => {
  it('makes each model call a one-iteration run named after the service, the rejected one an error', async () => {
    const client = new OpenAI({ baseURL: compat.fake.baseURL, apiKey: 'test', maxRetries: 0 });
    const walls: Wall[] = [];
    for (let i = 0; i < RUNS; i++) {
      compat.fake.enqueue(...scriptFor(i));
      walls.push(await timed(() => supportRun(client, i)));
    }
    await provider.forceFlush();

    // The library sends no agent or tool spans: 3 model calls per agent run, each a run of its own.
    const runs = await storedRuns(compat);
    expect(runs).toHaveLength(RUNS * 3);
    const calls = USAGE.input + USAGE.output;
    runs.forEach((run, n) => {
      const rejected = n === RUNS * 3 - 1;
      // No cached input: the library does not emit it.
      const tokens = rejected ? { input: 0, output: 0, cached_input: 0, reasoning: 0 } : { input: USAGE.input, output: USAGE.output, cached_input: 0, reasoning: 0 };
      expect(run).toMatchObject({
        agent_name: SERVICE, iterations: 1, model: MODEL, tokens, tokens_used: rejected ? 0 : calls,
        completion_status: rejected ? 'error' : 'success', tool_calls: [],
      });
      // A call the API rejected is not billed; every other call is priced from its tokens.
      expect(run.cost_usd).toBe(compat.vigil.prices.price(MODEL, tokens));
      const wall = walls[Math.floor(n / 3)]!;
      expect(run.duration_ms).toBeGreaterThan(0);
      expect(run.timestamp).toBeGreaterThanOrEqual(wall.startMs - 1);
      expect(run.ended_at).toBeLessThanOrEqual(wall.endMs + 1);
    });
    expect(runs[runs.length - 1]!.error).toMatchObject({ type: 'InternalServerError' });
  });
});
