// research_assistant: an agent on the OpenAI Agents SDK (`@openai/agents`). Vigil sees it through
// one line, the trace processor registered at start (see registerAgentsTracing in the demo):
// each Runner.run() becomes a Vigil run with its turns, tool calls and token usage.
import { Agent, OpenAIProvider, Runner, tool } from '@openai/agents';
import type OpenAI from 'openai';
import { z } from 'zod';
import * as vigil from '@vigil/sdk';

export const AGENT = 'research_assistant';

export interface ResearchBackends {
  search(query: string, signal?: AbortSignal): Promise<{ title: string; url: string }[]>;
  fetchPage(url: string, signal?: AbortSignal): Promise<string>;
}

export function createResearchAssistant(opts: { openai: OpenAI; backends: ResearchBackends; configPath: string }) {
  const config = vigil.loadAgentConfig(opts.configPath);
  const timeout = (name: string) => config.agent.tools?.find((t) => t.type === name)?.timeout_ms;

  const agent = new Agent({
    name: AGENT,
    model: config.agent.model ?? 'gpt-4o',
    instructions: 'You are research_assistant. Search the web, read the best two sources, and answer with citations.',
    tools: [
      tool({
        name: 'web_search',
        description: 'Search the web',
        parameters: z.object({ query: z.string() }),
        timeoutMs: timeout('web_search'),
        execute: async ({ query }, _ctx, details) => JSON.stringify(await opts.backends.search(query, details?.signal)),
      }),
      tool({
        name: 'fetch_page',
        description: 'Fetch a web page as text',
        parameters: z.object({ url: z.string() }),
        timeoutMs: timeout('fetch_page'),
        execute: async ({ url }, _ctx, details) => opts.backends.fetchPage(url, details?.signal),
      }),
    ],
  });
  // A provider per agent: each agent can use its own client (here: the demo's fake model server).
  const runner = new Runner({ modelProvider: new OpenAIProvider({ openAIClient: opts.openai, useResponses: true }), workflowName: AGENT });
  const maxTurns = config.agent.max_iterations ?? 8;

  return {
    async ask(question: string): Promise<string> {
      const result = await runner.run(agent, question, { maxTurns });
      return String(result.finalOutput ?? '');
    },
  };
}
