// OpenInference's OpenAI instrumentation (a real, published instrumentation) around the real
// `openai` client calling the fake model server; its spans go through the real OTLP protobuf
// exporter to a real Vigil server. The stored runs must match what the model and tools did.
import { context, propagation, trace, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeModelServer, text, toolCalls, type FakeModelServer } from '../../../../../examples/fake-model/index.js';
import type { VigilServer } from '../../../src/app/server.js';
import { startTestServer } from '../../helpers/test-server.js';

let vigil: VigilServer & { key: string };
let fake: FakeModelServer;
let provider: NodeTracerProvider;
let instrumentation: OpenAIInstrumentation;
let client: OpenAI;

beforeEach(async () => {
  vigil = await startTestServer();
  const url = await vigil.app.listen({ port: 0, host: '127.0.0.1' });
  fake = await startFakeModelServer();
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'order-service' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${url}/v1/traces`, headers: { Authorization: `Bearer ${vigil.key}` } }))],
  });
  // As an application does it: the provider becomes global, with Node's async context manager.
  provider.register();
  instrumentation = new OpenAIInstrumentation({ tracerProvider: provider });
  // ESM imports are not hooked by require-in-the-middle: hand the module over, as the
  // instrumentation's docs say to for ESM.
  instrumentation.manuallyInstrument({ OpenAI } as unknown as Parameters<OpenAIInstrumentation['manuallyInstrument']>[0]);
  client = new OpenAI({ baseURL: fake.baseURL, apiKey: 'test', maxRetries: 0 });
});

afterEach(async () => {
  instrumentation.disable();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
  await fake.close();
  await vigil.close();
});

const tracer = () => provider.getTracer('order-agent');
const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'lookup_order', parameters: { type: 'object', properties: { id: { type: 'number' } } } } },
];

/** A small agent loop: an OpenInference AGENT span, model calls, and TOOL spans for the tools it runs. */
async function runOrderAgent(question: string, onTool?: (name: string, span: Span) => void): Promise<Span> {
  const agent = tracer().startSpan('order_bot', { attributes: { 'openinference.span.kind': 'AGENT', 'agent.name': 'order_bot' } });
  await context.with(trace.setSpan(context.active(), agent), async () => {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: question }];
    for (let turn = 0; turn < 5; turn++) {
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
      const message = completion.choices[0]!.message;
      messages.push(message);
      if (!message.tool_calls?.length) break;
      for (const call of message.tool_calls) {
        if (call.type !== 'function') continue;
        const span = tracer().startSpan(call.function.name, {
          attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': call.function.name, 'input.value': call.function.arguments },
        });
        onTool?.(call.function.name, span);
        span.end();
        messages.push({ role: 'tool', tool_call_id: call.id, content: '{"status":"shipped"}' });
      }
    }
  });
  agent.end();
  return agent;
}

describe('OpenInference OpenAI instrumentation → OTLP protobuf → Vigil', () => {
  it('yields one run per agent loop with its model calls, tokens and tool calls', async () => {
    fake.enqueue(
      toolCalls([{ name: 'lookup_order', arguments: { id: 42 } }], { usage: { input: 50, output: 10 } }),
      text('Your order has shipped.', { usage: { input: 80, output: 20, cachedInput: 16 } }),
    );
    const agent = await runOrderAgent('Where is order 42?');
    await provider.forceFlush();

    expect(fake.requests).toHaveLength(2);
    const run = await vigil.store.getRun(vigil.defaultProject.id, agent.spanContext().traceId);
    expect(run).toMatchObject({
      agent_name: 'order_bot',
      completion_status: 'success',
      iterations: 2,
      tokens: { input: 130, output: 30, cached_input: 16 },
      tokens_used: 160,
    });
    expect(run!.tool_calls.map((t) => [t.name, t.status])).toEqual([['lookup_order', 'success']]);
    expect(run!.tool_calls[0]!.args_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(run!.steps[0]!.tool_calls_requested).toEqual(['lookup_order']);
    expect(run!.steps.every((s) => s.model !== null)).toBe(true);
  });

  it('makes an instrumented call outside any agent a one-iteration run named after its service', async () => {
    fake.enqueue(text('hello', { usage: { input: 7, output: 3 } }));
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await provider.forceFlush();

    const page = await vigil.store.listRuns(vigil.defaultProject.id, { from: 0, to: Date.now() + 60_000, limit: 10 });
    expect(page.runs).toHaveLength(1);
    expect(page.runs[0]).toMatchObject({ agent_name: 'order-service', iterations: 1, tokens_used: 10, completion_status: 'success', model: 'gpt-4o-mini' });
  });

  it('records a tool that timed out, recognised from its error message alone', async () => {
    fake.enqueue(
      toolCalls([{ name: 'lookup_order', arguments: { id: 7 } }], { usage: { input: 40, output: 9 } }),
      text('The order service is slow right now.', { usage: { input: 60, output: 12 } }),
    );
    const failingTool = (name: string, span: Span) => {
      span.recordException(new Error(`${name} timed out after 50 ms`));
      span.setStatus({ code: 2, message: `${name} timed out after 50 ms` });
    };
    const agent = await runOrderAgent('Where is order 7?', failingTool);
    await provider.forceFlush();

    const run = await vigil.store.getRun(vigil.defaultProject.id, agent.spanContext().traceId);
    expect(run).toMatchObject({ agent_name: 'order_bot', completion_status: 'success', iterations: 2, tokens_used: 121 });
    expect(run!.tool_calls.map((t) => [t.name, t.status, t.error?.message])).toEqual([['lookup_order', 'timeout', 'lookup_order timed out after 50 ms']]);
  });
});
