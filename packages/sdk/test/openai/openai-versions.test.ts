// monitorOpenAI against every major line of the `openai` package it supports: 7 (the `openai`
// devDependency) and 4, 5, 6 (installed under aliases). Each records runs the same way and
// leaves results, streams and errors exactly as the bare client gives them.
import OpenAI7 from 'openai';
import OpenAI4 from 'openai-v4';
import OpenAI5 from 'openai-v5';
import OpenAI6 from 'openai-v6';
import { beforeEach, describe, expect, it } from 'vitest';
import { rateLimited, startFakeModelServer, text, toolCalls, type FakeModelServer, type FakeReply } from '../../../../examples/fake-model/index.js';
import { flush, monitorOpenAI, run } from '../../src/index.js';
import { useVigilAndFakeModel, type TestVigil } from '../helpers.js';

// The calls below use only what all four lines share; each line's own types differ in detail.
interface AnyClient {
  chat: { completions: { create(body: object): Promise<unknown> } };
  responses: { create(body: object): Promise<unknown> };
}
type Ctor = new (opts: { baseURL: string; apiKey: string; maxRetries: number; timeout?: number }) => object;
interface Line {
  name: string;
  OpenAI: Ctor & { RateLimitError: abstract new (...args: never[]) => Error; APIConnectionTimeoutError: abstract new (...args: never[]) => Error };
}

const LINES: Line[] = [
  { name: 'openai 4', OpenAI: OpenAI4 as unknown as Line['OpenAI'] },
  { name: 'openai 5', OpenAI: OpenAI5 as unknown as Line['OpenAI'] },
  { name: 'openai 6', OpenAI: OpenAI6 as unknown as Line['OpenAI'] },
  { name: 'openai 7', OpenAI: OpenAI7 as unknown as Line['OpenAI'] },
];

const env = useVigilAndFakeModel();
let vigil: TestVigil;
let fake: FakeModelServer;
beforeEach(() => {
  vigil = env.vigil();
  fake = env.fake();
});

const collect = async (s: unknown) => {
  const out: unknown[] = [];
  for await (const x of s as AsyncIterable<unknown>) out.push(x);
  return out;
};
const msg = [{ role: 'user', content: 'hi' }];

for (const line of LINES) {
  describe(line.name, () => {
    const client = (baseURL: string, timeout?: number) =>
      new line.OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0, ...(timeout ? { timeout } : {}) }) as unknown as AnyClient;

    it('records a run: iterations, tokens, tool requests, streamed calls when they end', async () => {
      fake.enqueue(
        toolCalls([{ name: 'retrieve_order', arguments: { id: 42 } }], { usage: { input: 100, output: 20, cachedInput: 30, reasoning: 5 } }),
        text('streamed', { usage: { input: 40, output: 8 } }),
        text('answer', { usage: { input: 60, output: 12 } }),
        text('streamed response', { usage: { input: 10, output: 4, reasoning: 2 } }),
      );
      const openai = monitorOpenAI(client(fake.baseURL), { agent: 'compat_bot' });
      const runId = `compat-${line.name.replace(' ', '')}`;
      await run('compat_bot', async (r) => {
        await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: msg });
        await r.tool('retrieve_order', async () => 'shipped', { id: 42 });
        await collect(await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: msg, stream: true, stream_options: { include_usage: true } }));
        await openai.responses.create({ model: 'gpt-4o-mini', input: 'hi' });
        await collect(await openai.responses.create({ model: 'gpt-4o-mini', input: 'hi', stream: true }));
      }, { runId });
      expect(await flush()).toBe(true);
      const stored = await vigil.getRun(runId);
      expect(stored).toMatchObject({ agent_name: 'compat_bot', completion_status: 'success', iterations: 4, model: 'gpt-4o-mini' });
      expect(stored!.tokens).toEqual({ input: 210, output: 44, cached_input: 30, reasoning: 7 });
      expect(stored!.steps.map((s) => [s.finish_reason, s.tool_calls_requested])).toEqual([
        ['tool_calls', ['retrieve_order']], ['stop', []], ['stop', []], ['stop', []],
      ]);
      // Before openai 7 a chat stream object does not carry its request id, so none is recorded.
      const streamId = line.name === 'openai 7' ? 'req_fake_2' : null;
      expect(stored!.steps.map((s) => s.request_id)).toEqual(['req_fake_1', streamId, 'req_fake_3', 'req_fake_4']);
      expect(stored!.tool_calls.map((t) => [t.name, t.status])).toEqual([['retrieve_order', 'success']]);
    });

    it("rethrows the line's own errors and records them: rate limit as error, client timeout as timeout", async () => {
      fake.enqueue(rateLimited(2), { kind: 'text', text: 'late', delayMs: 1_000 });
      const limited = await run('compat_errors', () => monitorOpenAI(client(fake.baseURL), { agent: 'x' }).chat.completions.create({ model: 'm', messages: msg }), { runId: `rl-${line.name}` })
        .catch((e: unknown) => e);
      expect(limited).toBeInstanceOf(line.OpenAI.RateLimitError);
      const late = await run('compat_errors', () => monitorOpenAI(client(fake.baseURL, 100), { agent: 'x' }).responses.create({ model: 'm', input: 'x' }), { runId: `to-${line.name}` })
        .catch((e: unknown) => e);
      expect(late).toBeInstanceOf(line.OpenAI.APIConnectionTimeoutError);
      await flush();
      const rl = await vigil.getRun(`rl-${line.name}`);
      expect([rl!.completion_status, rl!.error?.type, rl!.steps[0]!.request_id]).toEqual(['error', 'RateLimitError', 'req_fake_1']);
      expect((await vigil.getRun(`to-${line.name}`))!.completion_status).toBe('timeout');
    });

    const same: { name: string; replies: FakeReply[]; call: (c: AnyClient) => Promise<unknown> }[] = [
      { name: 'chat completion', replies: [toolCalls([{ name: 'f', arguments: { a: 1 } }])], call: (c) => c.chat.completions.create({ model: 'm', messages: msg }) },
      { name: 'chat stream', replies: [text('hello streaming world')], call: async (c) => collect(await c.chat.completions.create({ model: 'm', messages: msg, stream: true, stream_options: { include_usage: true } })) },
      { name: 'response', replies: [text('resp')], call: (c) => c.responses.create({ model: 'm', input: 'hi' }) },
      { name: 'response stream', replies: [toolCalls([{ name: 'g', arguments: {} }], { text: 'calling' })], call: async (c) => collect(await c.responses.create({ model: 'm', input: 'hi', stream: true })) },
    ];
    for (const s of same) {
      it(`returns what the bare client returns: ${s.name}`, async () => {
        const servers = await Promise.all([0, 1].map(() => startFakeModelServer({ replies: [...s.replies], createdAt: 1_700_000_000 })));
        try {
          const bare = await s.call(client(servers[0]!.baseURL));
          const wrapped = await s.call(monitorOpenAI(client(servers[1]!.baseURL), { agent: 'same_bot' }));
          expect(JSON.stringify(wrapped)).toBe(JSON.stringify(bare));
          expect(servers[1]!.requests.map((r) => r.body)).toEqual(servers[0]!.requests.map((r) => r.body));
        } finally {
          await Promise.all(servers.map((x) => x.close()));
        }
      });
    }
  });
}
