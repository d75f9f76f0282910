// The OpenAI Agents SDK traced by OpenInference's processor
// (`@arizeai/openinference-instrumentation-openai-agents`), exporting through the real OTLP
// exporter to a real Vigil server.
import * as agents from '@openai/agents';
import { OpenAIAgentsInstrumentation } from '@arizeai/openinference-instrumentation-openai-agents';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AGENT, expectScenario, lookupOrder, MODEL, refundOrder, resetGlobalTracing, RUNS, scriptFor, startCompat, startProvider, storedRuns, timed, USAGE,
  type Compat, type Wall,
} from './compat-kit.js';

let compat: Compat;
let provider: NodeTracerProvider;
let instrumentation: OpenAIAgentsInstrumentation;

beforeEach(async () => {
  compat = await startCompat();
  provider = startProvider(compat);
  // With NODE_ENV=test the Agents SDK turns its tracing off.
  agents.setTracingDisabled(false);
  instrumentation = new OpenAIAgentsInstrumentation({ tracerProvider: provider });
  instrumentation.manuallyInstrument(agents);
});

afterEach(async () => {
  instrumentation.uninstrument?.();
  await provider.shutdown();
  resetGlobalTracing();
  await compat.close();
});

function supportAgent(): agents.Agent {
  const client = new OpenAI({ baseURL: compat.fake.baseURL, apiKey: 'test', maxRetries: 0 });
  return new agents.Agent({
    name: AGENT,
    instructions: 'Help with orders.',
    model: new agents.OpenAIChatCompletionsModel(client, MODEL),
    tools: [
      agents.tool({ name: 'lookup_order', description: 'Looks an order up', parameters: z.object({ id: z.number() }), execute: async ({ id }) => lookupOrder(id) }),
      agents.tool({ name: 'refund_order', description: 'Refunds an order', parameters: z.object({ id: z.number() }), execute: async () => refundOrder() }),
    ],
  });
}

describe('OpenAI Agents SDK + OpenInference → OTLP → Vigil', () => {
  it('makes each agent run one run named after the agent, the failed one written without waiting for its root', async () => {
    const agent = supportAgent();
    const walls: Wall[] = [];
    for (let i = 0; i < RUNS; i++) {
      compat.fake.enqueue(...scriptFor(i));
      walls.push(await timed(() => agents.run(agent, `Where is order ${100 + i}? Refund it.`)));
    }
    await agents.getGlobalTraceProvider().forceFlush();
    await provider.forceFlush();

    // No sweep here: the processor never ends the root span of the run that threw, yet that run
    // is written now, not after otlp.assemble_after.
    expect(compat.vigil.otlp.config.assembleAfterMs).toBe(30_000);
    expectScenario(compat, await storedRuns(compat), {
      agentName: AGENT,
      iterations: [3, 3, 3, 3, 3],
      cachedPerCall: USAGE.cachedInput,
      toolCalls: [['lookup_order', 'success'], ['refund_order', 'error']],
      // The Agents SDK redacts the tool's error message in its trace by default.
      toolError: 'refund_order',
      walls,
    });
    const runs = await storedRuns(compat);
    expect(runs[RUNS - 1]!.error?.message).toContain('the model is overloaded');
    // llm.finish_reason, per model call.
    expect(runs[0]!.steps.map((s) => s.finish_reason)).toEqual(['tool_calls', 'tool_calls', 'stop']);
  });
});
