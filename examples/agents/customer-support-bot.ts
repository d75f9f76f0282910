// customer_support_bot: the seed's MonitoredAgent in TypeScript. A hand-written tool loop over
// the official `openai` client (chat completions); Vigil sees it through two lines: the wrapped
// client and vigil.run(). Tools run through run.tool(), which enforces the YAML's timeout_ms.
//
//   const bot = createCustomerSupportBot({ openai: new OpenAI(), backends, configPath: 'agents/customer_support_bot.yaml' });
//   await bot.answer('Where is my order 1042?');
import type OpenAI from 'openai';
import * as vigil from '@vigil/sdk';

export const AGENT = 'customer_support_bot';

/** The systems the bot's tools call. The demo simulates them; yours would be real. */
export interface SupportBackends {
  searchArticles(query: string, signal: AbortSignal): Promise<string[]>;
  getOrder(orderId: string, signal: AbortSignal): Promise<{ order_id: string; status: string; eta: string }>;
  createTicket(title: string, signal: AbortSignal): Promise<{ ticket_id: string }>;
}

const SYSTEM_PROMPT =
  'You are customer_support_bot, the support agent of an online shop. Search the knowledge base ' +
  'before answering, look orders up by id, and open a ticket when a human must follow up.';

const TOOLS: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'search_knowledge_base', description: 'Search help-center articles', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } } },
  { type: 'function', function: { name: 'retrieve_order', description: 'Look an order up by id', parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] } } },
  { type: 'function', function: { name: 'create_ticket', description: 'Open a ticket for a human agent', parameters: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] } } },
];

export function createCustomerSupportBot(opts: { openai: OpenAI; backends: SupportBackends; configPath: string }) {
  const config = vigil.loadAgentConfig(opts.configPath);
  const openai = vigil.monitorOpenAI(opts.openai, { agent: AGENT });
  const model = config.agent.model ?? 'gpt-4-turbo';

  type Args = Record<string, string>;
  const tools: Record<string, (args: Args, ctx: { signal: AbortSignal }) => Promise<unknown>> = {
    search_knowledge_base: (a, { signal }) => opts.backends.searchArticles(a.query ?? '', signal),
    retrieve_order: (a, { signal }) => opts.backends.getOrder(a.order_id ?? '', signal),
    create_ticket: (a, { signal }) => opts.backends.createTicket(a.title ?? '', signal),
  };

  return {
    /** Answers one customer message. A tool that times out ends the run as failed: the customer needs a human. */
    answer(question: string, context: { sessionId?: string; userId?: string } = {}): Promise<string> {
      return vigil.run(
        AGENT,
        async (run) => {
          const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
            { role: 'system', content: SYSTEM_PROMPT },
            { role: 'user', content: question },
          ];
          // max_iterations is enforced by the SDK: the model call past it throws VigilIterationLimitError.
          for (;;) {
            const response = await openai.chat.completions.create({ model, messages, tools: TOOLS, temperature: config.agent.temperature });
            const message = response.choices[0]!.message;
            messages.push(message);
            if (!message.tool_calls || message.tool_calls.length === 0) return message.content ?? '';
            for (const call of message.tool_calls) {
              if (call.type !== 'function') continue;
              const impl = tools[call.function.name];
              const args = JSON.parse(call.function.arguments) as Args;
              const result = impl
                ? await run.tool(call.function.name, impl, args, { callId: call.id })
                : { error: `unknown tool ${call.function.name}` };
              messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
            }
          }
        },
        { sessionId: context.sessionId, userId: context.userId },
      );
    },
  };
}
