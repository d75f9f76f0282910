// The real `openai` client, wrapped, against the fake model server and a real Vigil server.
import OpenAI from 'openai';
import { beforeEach, describe, expect, it } from 'vitest';
import { httpError, rateLimited, startFakeModelServer, text, toolCalls, type FakeModelServer, type FakeReply } from '../../../../examples/fake-model/index.js';
import { flush, monitorOpenAI, run, VigilIterationLimitError } from '../../src/index.js';
import { useVigilAndFakeModel, type TestVigil } from '../helpers.js';

const env = useVigilAndFakeModel();
let vigil: TestVigil;
let fake: FakeModelServer;
beforeEach(() => {
  vigil = env.vigil();
  fake = env.fake();
});

const client = (baseURL: string, timeout?: number) => new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0, ...(timeout ? { timeout } : {}) });

const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'retrieve_order', parameters: { type: 'object', properties: { id: { type: 'number' } } } } },
  { type: 'function', function: { name: 'search_knowledge_base', parameters: { type: 'object', properties: { q: { type: 'string' } } } } },
  { type: 'function', function: { name: 'create_ticket', parameters: { type: 'object', properties: { title: { type: 'string' } } } } },
];

const impls: Record<string, (args: Record<string, unknown>) => Promise<string>> = {
  retrieve_order: async (a) => JSON.stringify({ id: a.id, status: 'shipped' }),
  search_knowledge_base: async () => 'Refunds take 5 days.',
  create_ticket: async () => 'TICKET-1',
};

/** A hand-written tool loop like the seed's MonitoredAgent. */
async function toolLoop(openai: OpenAI, runTool: (name: string, args: Record<string, unknown>) => Promise<string>): Promise<string> {
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Where is order 42?' }];
  for (;;) {
    const response = await openai.chat.completions.create({ model: 'gpt-4-turbo', messages, tools: TOOLS });
    const message = response.choices[0]!.message;
    messages.push(message);
    if (!message.tool_calls?.length) return message.content ?? '';
    for (const call of message.tool_calls) {
      if (call.type !== 'function') continue;
      const output = await runTool(call.function.name, JSON.parse(call.function.arguments) as Record<string, unknown>);
      messages.push({ role: 'tool', tool_call_id: call.id, content: output });
    }
  }
}

const LOOP_SCRIPT: FakeReply[] = [
  toolCalls([{ name: 'retrieve_order', arguments: { id: 42 } }], { usage: { input: 100, output: 20, cachedInput: 30, reasoning: 5 } }),
  toolCalls([{ name: 'search_knowledge_base', arguments: { q: 'refund' } }, { name: 'create_ticket', arguments: { title: 'late' } }], { usage: { input: 150, output: 30 } }),
  text('Your order 42 has shipped.', { usage: { input: 200, output: 12, cachedInput: 100 } }),
];

describe('monitorOpenAI inside vigil.run', () => {
  it('records a tool-calling loop as one run with its iterations, tool calls and tokens', async () => {
    fake.enqueue(...LOOP_SCRIPT);
    const openai = monitorOpenAI(client(fake.baseURL), { agent: 'customer_support_bot' });
    const answer = await run(
      'customer_support_bot',
      (r) => toolLoop(openai, (name, args) => r.tool(name, impls[name]!, args)),
      { runId: 'loop-1' },
    );
    expect(answer).toBe('Your order 42 has shipped.');
    expect(await flush()).toBe(true);

    const stored = await vigil.getRun('loop-1');
    expect(stored).toBeDefined();
    expect(stored!.agent_name).toBe('customer_support_bot');
    expect(stored!.completion_status).toBe('success');
    expect(stored!.iterations).toBe(3);
    expect(stored!.model).toBe('gpt-4-turbo');
    expect(stored!.tokens).toEqual({ input: 450, output: 62, cached_input: 130, reasoning: 5 });
    expect(stored!.tokens_used).toBe(512);
    expect(stored!.tool_calls.map((t) => [t.name, t.status])).toEqual([
      ['retrieve_order', 'success'],
      ['search_knowledge_base', 'success'],
      ['create_ticket', 'success'],
    ]);
    expect(stored!.tool_calls.every((t) => typeof t.args_hash === 'string' && t.arguments === null)).toBe(true);
    expect(stored!.steps.map((s) => s.tool_calls_requested)).toEqual([['retrieve_order'], ['search_knowledge_base', 'create_ticket'], []]);
    expect(stored!.steps.map((s) => s.finish_reason)).toEqual(['tool_calls', 'tool_calls', 'stop']);
    expect(stored!.steps.map((s) => s.request_id)).toEqual(['req_fake_1', 'req_fake_2', 'req_fake_3']);
    expect(stored!.transitions.map((t) => t.state)).toEqual([
      'started', 'thinking', 'tool:retrieve_order', 'thinking', 'tool:search_knowledge_base', 'tool:create_ticket', 'thinking', 'completed',
    ]);
  });

  it('stops the loop with VigilIterationLimitError after max_iterations and records iteration_limit', async () => {
    fake.setHandler(() => toolCalls([{ name: 'retrieve_order', arguments: { id: 1 } }]));
    const openai = monitorOpenAI(client(fake.baseURL), { agent: 'looping_bot' });
    let caught: unknown;
    await run(
      'looping_bot',
      async (r) => {
        try {
          await toolLoop(openai, (name, args) => r.tool(name, impls[name]!, args));
        } catch (err) {
          caught = err;
        }
      },
      { runId: 'limit-1', maxIterations: 3 },
    );
    expect(caught).toBeInstanceOf(VigilIterationLimitError);
    expect(fake.requests).toHaveLength(3);
    await flush();
    const stored = await vigil.getRun('limit-1');
    expect(stored!.completion_status).toBe('iteration_limit');
    expect(stored!.iterations).toBe(3);
    expect(stored!.transitions.at(-1)!.state).toBe('iteration_limit');
  });

  it('records a rate-limited call as an error step and the run as error, rethrowing the same error', async () => {
    fake.enqueue(rateLimited(7));
    const openai = monitorOpenAI(client(fake.baseURL), { agent: 'rl_bot' });
    const err = await run('rl_bot', () => openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }), { runId: 'rl-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    await flush();
    const stored = await vigil.getRun('rl-1');
    expect(stored!.completion_status).toBe('error');
    expect(stored!.error!.type).toBe('RateLimitError');
    expect(stored!.steps[0]!.error!.type).toBe('RateLimitError');
    expect(stored!.steps[0]!.request_id).toBe('req_fake_1');
  });

  it('records a client timeout as a timeout run', async () => {
    fake.enqueue({ kind: 'text', text: 'late', delayMs: 1_000 });
    const openai = monitorOpenAI(client(fake.baseURL, 100), { agent: 'slow_bot' });
    const err = await run('slow_bot', () => openai.responses.create({ model: 'gpt-4o', input: 'hi' }), { runId: 'slow-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await flush();
    expect((await vigil.getRun('slow-1'))!.completion_status).toBe('timeout');
  });

  it('records streamed calls when the stream ends, tokens included', async () => {
    fake.enqueue(toolCalls([{ name: 'retrieve_order', arguments: { id: 1 } }], { usage: { input: 11, output: 3 } }), text('streamed answer', { usage: { input: 20, output: 9, reasoning: 4 } }));
    const openai = monitorOpenAI(client(fake.baseURL), { agent: 'stream_bot' });
    await run(
      'stream_bot',
      async () => {
        const s1 = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } });
        for await (const _ of s1) void _;
        const s2 = await openai.responses.create({ model: 'gpt-4o', input: 'x', stream: true });
        for await (const _ of s2) void _;
      },
      { runId: 'stream-1' },
    );
    await flush();
    const stored = await vigil.getRun('stream-1');
    expect(stored!.iterations).toBe(2);
    expect(stored!.tokens).toEqual({ input: 31, output: 12, cached_input: 0, reasoning: 4 });
    expect(stored!.steps.map((s) => [s.finish_reason, s.tool_calls_requested])).toEqual([
      ['tool_calls', ['retrieve_order']],
      ['stop', []],
    ]);
  });
});

describe('monitorOpenAI outside any run', () => {
  it('records each call as a one-iteration run of the wrapper agent', async () => {
    fake.enqueue(text('a'), httpError(500, { message: 'boom' }));
    const openai = monitorOpenAI(client(fake.baseURL), { agent: 'lonely_bot' });
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    await openai.responses.create({ model: 'gpt-4o', input: 'x' }).catch(() => undefined);
    await flush();
    const runs = await vigil.listRuns('lonely_bot');
    expect(runs.map((r) => [r.iterations, r.completion_status]).sort()).toEqual([
      [1, 'error'],
      [1, 'success'],
    ]);
  });
});

describe('the wrapped client behaves exactly like the bare one', () => {
  const CREATED = 1_700_000_000;
  type Scenario = { name: string; replies: FakeReply[]; call: (c: OpenAI) => Promise<unknown> };
  const collect = async (s: AsyncIterable<unknown>) => {
    const out: unknown[] = [];
    for await (const x of s) out.push(x);
    return out;
  };
  const msg = [{ role: 'user' as const, content: 'hi' }];
  const scenarios: Scenario[] = [
    { name: 'chat completion', replies: [toolCalls([{ name: 'f', arguments: { a: 1 } }])], call: (c) => c.chat.completions.create({ model: 'm', messages: msg }) },
    { name: 'chat stream with usage', replies: [text('hello streaming world')], call: async (c) => collect(await c.chat.completions.create({ model: 'm', messages: msg, stream: true, stream_options: { include_usage: true } })) },
    { name: 'chat stream through tee()', replies: [text('tee me')], call: async (c) => { const [a, b] = (await c.chat.completions.create({ model: 'm', messages: msg, stream: true })).tee(); return [await collect(a), await collect(b)]; } },
    { name: 'response', replies: [text('resp')], call: (c) => c.responses.create({ model: 'm', input: 'hi' }) },
    { name: 'response stream', replies: [toolCalls([{ name: 'g', arguments: {} }], { text: 'calling' })], call: async (c) => collect(await c.responses.create({ model: 'm', input: 'hi', stream: true })) },
    { name: 'withResponse()', replies: [text('w')], call: async (c) => { const r = await c.chat.completions.create({ model: 'm', messages: msg }).withResponse(); return { data: r.data, request_id: r.request_id, status: r.response.status }; } },
    { name: 'request id', replies: [text('id')], call: async (c) => (await c.chat.completions.create({ model: 'm', messages: msg }))._request_id },
  ];
  const errorScenarios: Scenario[] = [
    { name: '429 with Retry-After', replies: [rateLimited(3)], call: (c) => c.chat.completions.create({ model: 'm', messages: msg }) },
    { name: '500', replies: [httpError(500)], call: (c) => c.responses.create({ model: 'm', input: 'x' }) },
    { name: 'bad request', replies: [httpError(400, { message: 'bad', type: 'invalid_request_error' })], call: (c) => c.chat.completions.create({ model: 'm', messages: msg, stream: true }) },
  ];

  async function both(replies: FakeReply[], call: Scenario['call']) {
    const bareServer = await startFakeModelServer({ replies: [...replies], createdAt: CREATED });
    const wrappedServer = await startFakeModelServer({ replies: [...replies], createdAt: CREATED });
    try {
      const bare = await call(client(bareServer.baseURL)).then((v) => ({ ok: v }), (e: unknown) => ({ err: e }));
      const wrapped = await call(monitorOpenAI(client(wrappedServer.baseURL), { agent: 'same_bot' })).then((v) => ({ ok: v }), (e: unknown) => ({ err: e }));
      expect(wrappedServer.requests.map((r) => [r.body, r.headers['content-type']])).toEqual(bareServer.requests.map((r) => [r.body, r.headers['content-type']]));
      return { bare, wrapped };
    } finally {
      await bareServer.close();
      await wrappedServer.close();
    }
  }

  for (const s of scenarios) {
    it(`returns the same result: ${s.name}`, async () => {
      const { bare, wrapped } = await both(s.replies, s.call);
      expect('ok' in bare).toBe(true);
      expect(wrapped).toEqual(bare);
      expect(JSON.stringify(wrapped)).toBe(JSON.stringify(bare));
    });
  }

  for (const s of errorScenarios) {
    it(`throws the same error: ${s.name}`, async () => {
      const { bare, wrapped } = await both(s.replies, s.call);
      const e1 = (bare as { err: InstanceType<typeof OpenAI.APIError> }).err;
      const e2 = (wrapped as { err: InstanceType<typeof OpenAI.APIError> }).err;
      expect(e2.constructor).toBe(e1.constructor);
      expect([e2.status, e2.message, e2.requestID, e2.headers?.get('retry-after'), e2.error]).toEqual([e1.status, e1.message, e1.requestID, e1.headers?.get('retry-after'), e1.error]);
    });
  }

  it('keeps the client type and identity of its resources', () => {
    const bare = client('http://127.0.0.1:9/v1');
    const wrapped = monitorOpenAI(bare, { agent: 'x' });
    expect(wrapped).toBeInstanceOf(OpenAI);
    expect(wrapped.chat).toBe(wrapped.chat);
    expect(wrapped.chat.completions.create).toBe(wrapped.chat.completions.create);
    expect(wrapped.baseURL).toBe(bare.baseURL);
    expect(bare.chat.completions.create).not.toBe(wrapped.chat.completions.create);
  });
});
