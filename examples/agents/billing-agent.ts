// billing_agent: a hand-written tool loop over the Responses API of the official `openai` client.
// It resends the whole conversation each turn (no server-side state), like most production loops.
// Its prompt is versioned: prompt v2 pastes the whole refund policy into the instructions, which
// is the kind of change that quietly multiplies tokens per run (Vigil: TokenBudgetOverrun).
import type OpenAI from 'openai';
import * as vigil from '@vigil/sdk';

export const AGENT = 'billing_agent';

export interface BillingBackends {
  getInvoice(invoiceId: string, signal: AbortSignal): Promise<{ invoice_id: string; amount_usd: number; paid: boolean }>;
  refund(invoiceId: string, amountUsd: number, signal: AbortSignal): Promise<{ refund_id: string }>;
  escalate(reason: string, signal: AbortSignal): Promise<{ queued: boolean }>;
}

export type PromptVersion = 'v1' | 'v2';

const INSTRUCTIONS_V1 =
  'You are billing_agent. Look invoices up before answering. Refund only paid invoices, at most the invoiced amount.';

/** v2 "improves" answers by including the full policy text: about 15x the input tokens on every call. */
const REFUND_POLICY = Array.from(
  { length: 120 },
  (_, i) => `Section ${i + 1}: refunds for orders in category ${i % 12} are granted within ${14 + (i % 4) * 7} days of delivery when the customer provides proof of purchase and the item is unused.`,
).join('\n');
const INSTRUCTIONS_V2 = `${INSTRUCTIONS_V1}\n\nFull refund policy:\n${REFUND_POLICY}`;

const TOOLS: OpenAI.Responses.Tool[] = [
  { type: 'function', name: 'lookup_invoice', description: 'Fetch an invoice', strict: false, parameters: { type: 'object', properties: { invoice_id: { type: 'string' } }, required: ['invoice_id'] } },
  { type: 'function', name: 'issue_refund', description: 'Refund an invoice', strict: false, parameters: { type: 'object', properties: { invoice_id: { type: 'string' }, amount_usd: { type: 'number' } }, required: ['invoice_id', 'amount_usd'] } },
  { type: 'function', name: 'escalate_to_human', description: 'Hand the case to a person', strict: false, parameters: { type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'] } },
];

export function createBillingAgent(opts: { openai: OpenAI; backends: BillingBackends; configPath: string; promptVersion?: () => PromptVersion }) {
  const config = vigil.loadAgentConfig(opts.configPath);
  const openai = vigil.monitorOpenAI(opts.openai, { agent: AGENT });
  const model = config.agent.model ?? 'gpt-4o-mini';
  const version = opts.promptVersion ?? (() => 'v1' as const);

  type Args = { invoice_id?: string; amount_usd?: number; reason?: string };
  const tools: Record<string, (args: Args, ctx: { signal: AbortSignal }) => Promise<unknown>> = {
    lookup_invoice: (a, { signal }) => opts.backends.getInvoice(a.invoice_id ?? '', signal),
    issue_refund: (a, { signal }) => opts.backends.refund(a.invoice_id ?? '', a.amount_usd ?? 0, signal),
    escalate_to_human: (a, { signal }) => opts.backends.escalate(a.reason ?? '', signal),
  };

  return {
    handle(request: string, context: { sessionId?: string } = {}): Promise<string> {
      const prompt = version();
      return vigil.run(
        AGENT,
        async (run) => {
          const input: OpenAI.Responses.ResponseInputItem[] = [{ role: 'user', content: request }];
          for (;;) {
            const response = await openai.responses.create({
              model,
              instructions: prompt === 'v2' ? INSTRUCTIONS_V2 : INSTRUCTIONS_V1,
              input,
              tools: TOOLS,
            });
            const calls = response.output.filter((item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === 'function_call');
            if (calls.length === 0) return response.output_text;
            input.push(...calls);
            for (const call of calls) {
              const impl = tools[call.name];
              const args = JSON.parse(call.arguments) as Args;
              const result = impl ? await run.tool(call.name, impl, args, { callId: call.call_id }) : { error: `unknown tool ${call.name}` };
              input.push({ type: 'function_call_output', call_id: call.call_id, output: JSON.stringify(result) });
            }
          }
        },
        { sessionId: context.sessionId, tags: { prompt_version: prompt } },
      );
    },
  };
}
