// OpenInference's OpenAI instrumentation (`@arizeai/openinference-instrumentation-openai`) on the
// real `openai` client, with the agent loop traced by OpenInference AGENT and TOOL spans, exporting
// through the real OTLP exporter to a real Vigil server.
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AGENT, expectScenario, lookupOrder, MODEL, REFUND_ERROR, refundOrder, resetGlobalTracing, RUNS, scriptFor, startCompat, startProvider, storedRuns, timed,
  USAGE, type Compat, type Wall,
} from './compat-kit.js';

let compat: Compat;
let provider: NodeTracerProvider;
let instrumentation: OpenAIInstrumentation;

beforeEach(async () => {
  compat = await startCompat();
  provider = startProvider(compat);
  instrumentation = new OpenAIInstrumentation({ tracerProvider: provider });
  // ESM imports are not hooked on import: the instrumentation's docs hand it the module.
  instrumentation.manuallyInstrument({ OpenAI } as unknown as Parameters<OpenAIInstrumentation['manuallyInstrument']>[0]);
});

afterEach(async () => {
  instrumentation.disable();
  await provider.shutdown();
  resetGlobalTracing();
  await compat.close();
});

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'lookup_order', parameters: { type: 'object', properties: { id: { type: 'number' } } } } },
  { type: 'function', function: { name: 'refund_order', parameters: { type: 'object', properties: { id: { type: 'number' } } } } },
];

/** The agent loop as an OpenInference user writes it: an AGENT span, TOOL spans, the client instrumented. */
async function supportRun(client: OpenAI, i: number, stream = false): Promise<void> {
  const tracer = trace.getTracer('support-agent');
  await tracer.startActiveSpan(AGENT, { attributes: { 'openinference.span.kind': 'AGENT', 'agent.name': AGENT } }, async (agent) => {
    try {
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: `Where is order ${100 + i}? Refund it.` }];
      for (let turn = 0; turn < 5; turn++) {
        const message = stream ? await streamed(client, messages) : (await client.chat.completions.create({ model: MODEL, messages, tools })).choices[0]!.message;
        messages.push(message);
        if (!message.tool_calls?.length) break;
        for (const call of message.tool_calls) {
          if (call.type !== 'function') continue;
          const { id } = JSON.parse(call.function.arguments) as { id: number };
          const result = await tracer.startActiveSpan(call.function.name, {
            attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': call.function.name, 'input.value': call.function.arguments },
          }, async (span) => {
            try {
              return call.function.name === 'lookup_order' ? lookupOrder(id) : refundOrder();
            } catch (err) {
              span.recordException(err as Error);
              span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
              return { error: (err as Error).message };
            } finally {
              span.end();
            }
          });
          messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
        }
      }
    } catch (err) {
      agent.recordException(err as Error);
      agent.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    } finally {
      agent.end();
    }
  });
}

async function streamed(client: OpenAI, messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[]): Promise<OpenAI.Chat.Completions.ChatCompletionMessage> {
  const stream = await client.chat.completions.create({ model: MODEL, messages, tools, stream: true, stream_options: { include_usage: true } });
  const calls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
  let content = '';
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta;
    content += delta?.content ?? '';
    for (const c of delta?.tool_calls ?? []) {
      calls[c.index] ??= { id: c.id ?? '', type: 'function', function: { name: '', arguments: '' } };
      calls[c.index]!.function.name += c.function?.name ?? '';
      calls[c.index]!.function.arguments += c.function?.arguments ?? '';
    }
  }
  return { role: 'assistant', content, refusal: null, ...(calls.length > 0 ? { tool_calls: calls } : {}) };
}

describe('OpenInference OpenAI instrumentation → OTLP → Vigil', () => {
  it('makes each AGENT span one run with its model calls, tools, usage and finish reasons', async () => {
    const client = new OpenAI({ baseURL: compat.fake.baseURL, apiKey: 'test', maxRetries: 0 });
    const walls: Wall[] = [];
    for (let i = 0; i < RUNS; i++) {
      compat.fake.enqueue(...scriptFor(i));
      walls.push(await timed(() => supportRun(client, i)));
    }
    await provider.forceFlush();

    const runs = await storedRuns(compat);
    expectScenario(compat, runs, {
      agentName: AGENT,
      // The instrumentation never ends the span of a call the API rejected (HTTP 500 here).
      iterations: [3, 3, 3, 3, 2],
      cachedPerCall: USAGE.cachedInput,
      toolCalls: [['lookup_order', 'success'], ['refund_order', 'error']],
      toolError: REFUND_ERROR,
      walls,
    });
    expect(runs[0]!.steps.map((s) => s.finish_reason)).toEqual(['tool_calls', 'tool_calls', 'stop']);
  });

  it('leaves the cost of streamed calls unknown, as the library reports no usage for them', async () => {
    const client = new OpenAI({ baseURL: compat.fake.baseURL, apiKey: 'test', maxRetries: 0 });
    compat.fake.enqueue(...scriptFor(0));
    await supportRun(client, 0, true);
    await provider.forceFlush();

    // The stream carried usage (stream_options.include_usage), the spans do not.
    expect(compat.fake.requests.every((r) => r.stream)).toBe(true);
    const [run] = await storedRuns(compat);
    expect(run).toMatchObject({ agent_name: AGENT, completion_status: 'success', iterations: 3, model: MODEL, cost_usd: null });
    expect(run!.tool_calls.map((t) => [t.name, t.status])).toEqual([['lookup_order', 'success'], ['refund_order', 'error']]);
  });
});
