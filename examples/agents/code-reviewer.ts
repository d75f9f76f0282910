// code_reviewer: a hand-written loop over streaming chat completions. The wrapped client records
// a streamed call when its stream ends (usage included with stream_options.include_usage), so a
// streaming agent is monitored like any other.
import type OpenAI from 'openai';
import * as vigil from '@vigil/sdk';

export const AGENT = 'code_reviewer';

export interface ReviewBackends {
  readFile(path: string, signal: AbortSignal): Promise<string>;
  runTests(target: string, signal: AbortSignal): Promise<{ passed: number; failed: number }>;
}

const SYSTEM_PROMPT = 'You are code_reviewer. Read the changed files, run the tests, then write a short review.';

const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } },
  { type: 'function', function: { name: 'run_tests', parameters: { type: 'object', properties: { target: { type: 'string' } }, required: ['target'] } } },
];

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

export function createCodeReviewer(opts: { openai: OpenAI; backends: ReviewBackends; configPath: string }) {
  const config = vigil.loadAgentConfig(opts.configPath);
  const openai = vigil.monitorOpenAI(opts.openai, { agent: AGENT });
  const model = config.agent.model ?? 'gpt-4.1';

  type Args = { path?: string; target?: string };
  const tools: Record<string, (args: Args, ctx: { signal: AbortSignal }) => Promise<unknown>> = {
    read_file: (a, { signal }) => opts.backends.readFile(a.path ?? '', signal),
    run_tests: (a, { signal }) => opts.backends.runTests(a.target ?? '', signal),
  };

  return {
    review(pullRequest: string): Promise<string> {
      return vigil.run(AGENT, async (run) => {
        const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
          { role: 'system', content: SYSTEM_PROMPT },
          { role: 'user', content: `Review ${pullRequest}` },
        ];
        for (;;) {
          const stream = await openai.chat.completions.create({ model, messages, tools: TOOLS, stream: true, stream_options: { include_usage: true } });
          let text = '';
          const calls: PendingCall[] = [];
          for await (const chunk of stream) {
            const delta = chunk.choices[0]?.delta;
            if (delta?.content) text += delta.content;
            for (const tc of delta?.tool_calls ?? []) {
              const c = (calls[tc.index] ??= { id: '', name: '', arguments: '' });
              if (tc.id) c.id = tc.id;
              if (tc.function?.name) c.name = tc.function.name;
              if (tc.function?.arguments) c.arguments += tc.function.arguments;
            }
          }
          if (calls.length === 0) return text;
          messages.push({ role: 'assistant', content: text || null, tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) });
          for (const c of calls) {
            const impl = tools[c.name];
            const result = impl ? await run.tool(c.name, impl, JSON.parse(c.arguments) as Args, { callId: c.id }) : { error: `unknown tool ${c.name}` };
            messages.push({ role: 'tool', tool_call_id: c.id, content: JSON.stringify(result) });
          }
        }
      });
    },
  };
}
