// OpenLLMetry (`@traceloop/node-server-sdk`): its own initialize() with its own OTLP exporter,
// withAgent / withTool around a small agent loop on the real `openai` client, to a real Vigil.
import * as traceloop from '@traceloop/node-server-sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENT, expectScenario, lookupOrder, MODEL, refundOrder, RUNS, scriptFor, SERVICE, startCompat, storedRuns, sweepLater, timed, type Compat, type Wall,
} from './compat-kit.js';

let compat: Compat;

beforeAll(async () => {
  compat = await startCompat();
  traceloop.initialize({
    appName: SERVICE,
    baseUrl: compat.url,
    apiKey: compat.vigil.key,
    disableBatch: true,
    silenceInitializationMessage: true,
    traceContent: false,
    instrumentModules: { openAI: OpenAI },
  });
});

afterAll(async () => {
  // The SDK offers no shutdown; forceFlush in the test sent everything, and its exporter holds no timer.
  await compat.close();
});

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'lookup_order', parameters: { type: 'object', properties: { id: { type: 'number' } } } } },
  { type: 'function', function: { name: 'refund_order', parameters: { type: 'object', properties: { id: { type: 'number' } } } } },
];

async function supportRun(client: OpenAI, i: number): Promise<void> {
  await traceloop.withAgent({ name: AGENT }, async () => {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: `Where is order ${100 + i}? Refund it.` }];
    for (let turn = 0; turn < 5; turn++) {
      const completion = await client.chat.completions.create({ model: MODEL, messages, tools });
      const message = completion.choices[0]!.message;
      messages.push(message);
      if (!message.tool_calls?.length) return message.content;
      for (const call of message.tool_calls) {
        if (call.type !== 'function') continue;
        const { id } = JSON.parse(call.function.arguments) as { id: number };
        const result = await traceloop.withTool({ name: call.function.name }, async () => (call.function.name === 'lookup_order' ? lookupOrder(id) : refundOrder()))
          .catch((err: Error) => ({ error: err.message }));
        messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
      }
    }
    return null;
  });
}

describe('OpenLLMetry (Traceloop) → OTLP → Vigil', () => {
  it('makes each withAgent call one run, and the one whose agent threw a failed run named after the agent', async () => {
    const client = new OpenAI({ baseURL: compat.fake.baseURL, apiKey: 'test', maxRetries: 0 });
    const walls: Wall[] = [];
    for (let i = 0; i < RUNS; i++) {
      compat.fake.enqueue(...scriptFor(i));
      walls.push(await timed(() => supportRun(client, i)));
    }
    await traceloop.forceFlush();
    // withAgent never ends its span when the agent throws: that run waits for otlp.assemble_after.
    await sweepLater(compat);

    expectScenario(compat, await storedRuns(compat), {
      agentName: AGENT,
      // Nor does the OpenAI instrumentation end the span of the call the API rejected.
      iterations: [3, 3, 3, 3, 2],
      // The library does not emit cached input tokens.
      cachedPerCall: 0,
      // withTool never ends the span of a tool that threw: the failing tool is not sent at all.
      toolCalls: [['lookup_order', 'success']],
      walls,
    });
    expect((await storedRuns(compat))[RUNS - 1]!.error?.type).toBe('RootSpanMissing');
  });
});
