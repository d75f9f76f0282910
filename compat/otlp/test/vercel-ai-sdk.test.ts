// The Vercel AI SDK (`ai` 6 with `@ai-sdk/openai` 3) with its own telemetry
// (`experimental_telemetry`), exporting through the real OTLP exporter to a real Vigil server.
import { createOpenAI } from '@ai-sdk/openai';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { text } from '../../../examples/fake-model/index.js';
import {
  AGENT, expectScenario, lookupOrder, MODEL, REFUND_ERROR, refundOrder, resetGlobalTracing, RUNS, scriptFor, SERVICE, startCompat, startProvider,
  storedRuns, timed, USAGE, type Compat, type Wall,
} from './compat-kit.js';

let compat: Compat;
let provider: NodeTracerProvider;

beforeEach(async () => {
  compat = await startCompat();
  provider = startProvider(compat);
});

afterEach(async () => {
  await provider.shutdown();
  resetGlobalTracing();
  await compat.close();
});

const tools = {
  lookup_order: tool({ description: 'Looks an order up', inputSchema: z.object({ id: z.number() }), execute: async ({ id }) => lookupOrder(id) }),
  refund_order: tool({ description: 'Refunds an order', inputSchema: z.object({ id: z.number() }), execute: async () => refundOrder() }),
};

async function supportRun(i: number, stream = false): Promise<void> {
  const openai = createOpenAI({ baseURL: compat.fake.baseURL, apiKey: 'test' });
  compat.fake.enqueue(...scriptFor(i));
  const options = {
    model: openai.chat(MODEL),
    prompt: `Where is order ${100 + i}? Refund it.`,
    tools,
    stopWhen: stepCountIs(5),
    maxRetries: 0,
    experimental_telemetry: { isEnabled: true, functionId: AGENT, metadata: { sessionId: `session-${i}`, userId: 'user-7' } },
  };
  if (!stream) {
    await generateText(options);
    return;
  }
  const result = streamText({ ...options, onError: () => undefined });
  await result.consumeStream();
  await result.steps;
}

describe('Vercel AI SDK 6 → OTLP → Vigil', () => {
  it('makes each generateText call one run named after its functionId, with model calls, tool calls, usage and session', async () => {
    const walls: Wall[] = [];
    for (let i = 0; i < RUNS; i++) walls.push(await timed(() => supportRun(i)));
    await provider.forceFlush();

    expectScenario(compat, await storedRuns(compat), {
      agentName: AGENT,
      iterations: [3, 3, 3, 3, 3],
      cachedPerCall: USAGE.cachedInput,
      toolCalls: [['lookup_order', 'success'], ['refund_order', 'error']],
      toolError: REFUND_ERROR,
      walls,
      extra: (i) => ({ session_id: `session-${i}`, user_id: 'user-7' }),
    });
    const failed = (await storedRuns(compat))[RUNS - 1]!;
    expect(failed.steps.map((s) => s.error?.message ?? null)).toEqual([null, null, 'the model is overloaded']);
  });

  it('reads streamText runs the same way', async () => {
    const walls: Wall[] = [];
    for (let i = 0; i < RUNS; i++) walls.push(await timed(() => supportRun(i, true)));
    await provider.forceFlush();

    expectScenario(compat, await storedRuns(compat), {
      agentName: AGENT,
      iterations: [3, 3, 3, 3, 3],
      cachedPerCall: USAGE.cachedInput,
      toolCalls: [['lookup_order', 'success'], ['refund_order', 'error']],
      toolError: REFUND_ERROR,
      walls,
      extra: (i) => ({ session_id: `session-${i}` }),
    });
  });

  it('names a run without a functionId after its service', async () => {
    const openai = createOpenAI({ baseURL: compat.fake.baseURL, apiKey: 'test' });
    compat.fake.enqueue(text('hello', { usage: USAGE }));
    await generateText({ model: openai.chat(MODEL), prompt: 'hi', maxRetries: 0, experimental_telemetry: { isEnabled: true } });
    await provider.forceFlush();

    expect((await storedRuns(compat)).map((r) => [r.agent_name, r.iterations, r.completion_status])).toEqual([[SERVICE, 1, 'success']]);
  });
});
