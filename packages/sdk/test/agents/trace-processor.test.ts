// The real @openai/agents runner against the fake model server, traced into a real Vigil server.
import { Agent, MaxTurnsExceededError, Runner, setDefaultOpenAIClient, setTraceProcessors, setTracingDisabled, tool, withTrace } from '@openai/agents';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeModelServer, text, toolCalls, type FakeModelServer } from '../../../../examples/fake-model/index.js';
import { flush, loadAgentConfig, VigilTraceProcessor } from '../../src/index.js';
import { configureFor, resetSdk, startVigil, type TestVigil } from '../helpers.js';

let vigil: TestVigil;
let fake: FakeModelServer;

beforeAll(async () => {
  vigil = await startVigil();
  // One model server for the file: the Agents SDK's provider keeps the first client it builds.
  fake = await startFakeModelServer();
  setDefaultOpenAIClient(new OpenAI({ baseURL: fake.baseURL, apiKey: 'sk-test', maxRetries: 0 }));
  // vitest sets NODE_ENV=test, which makes the Agents SDK disable tracing.
  setTracingDisabled(false);
  // Replace the default processor, which would export to OpenAI.
  setTraceProcessors([new VigilTraceProcessor()]);
});
afterAll(async () => {
  setTraceProcessors([]);
  await fake.close();
  await vigil.close();
});
beforeEach(() => {
  fake.setHandler(undefined);
  fake.requests.length = 0;
  configureFor(vigil.endpoint);
});
afterEach(async () => {
  await resetSdk();
});

const searchKnowledgeBase = tool({
  name: 'search_knowledge_base',
  description: 'Search the help center',
  parameters: z.object({ q: z.string() }),
  execute: async ({ q }) => `3 articles about ${q}`,
});
const retrieveOrder = tool({
  name: 'retrieve_order',
  description: 'Look up an order',
  parameters: z.object({ id: z.number() }),
  timeoutMs: 50,
  execute: async () => {
    await new Promise((r) => setTimeout(r, 400));
    return 'never';
  },
});
const createTicket = tool({
  name: 'create_ticket',
  description: 'Open a support ticket',
  parameters: z.object({ title: z.string() }),
  execute: async () => {
    throw new Error('ticketing system down');
  },
});

const supportAgent = (name: string) =>
  new Agent({ name, instructions: 'Help the customer.', model: 'gpt-4-turbo', tools: [searchKnowledgeBase, retrieveOrder, createTicket] });

/** The agent's runs with full detail (the list API leaves steps and transitions out), oldest first. */
async function waitForRuns(agentName: string, n: number) {
  let runs = await vigil.listRuns(agentName);
  for (let i = 0; i < 100 && runs.length < n; i++) {
    await flush();
    await new Promise((r) => setTimeout(r, 20));
    runs = await vigil.listRuns(agentName);
  }
  const detailed = await Promise.all(runs.map((r) => vigil.getRun(r.run_id)));
  return detailed.filter((r) => r !== undefined).sort((a, b) => a.transitions[0]!.at.localeCompare(b.transitions[0]!.at));
}

describe('VigilTraceProcessor with the real Agents SDK runner', () => {
  it('records a run with turns, tool successes, a tool timeout, a throwing tool and token usage', async () => {
    fake.enqueue(
      toolCalls(
        [
          { name: 'search_knowledge_base', arguments: { q: 'refunds' } },
          { name: 'retrieve_order', arguments: { id: 42 } },
          { name: 'create_ticket', arguments: { title: 'late order' } },
        ],
        { usage: { input: 120, output: 30, cachedInput: 20, reasoning: 7 } },
      ),
      text('I searched, the order lookup timed out, and ticketing is down.', { usage: { input: 300, output: 25 } }),
    );
    const result = await new Runner().run(supportAgent('customer_support_bot'), 'Where is my order 42?');
    expect(result.finalOutput).toBe('I searched, the order lookup timed out, and ticketing is down.');

    const [stored] = await waitForRuns('customer_support_bot', 1);
    expect(stored).toBeDefined();
    expect(stored!.completion_status).toBe('success');
    expect(stored!.iterations).toBe(2);
    expect(stored!.tokens.input).toBe(420);
    expect(stored!.tokens.output).toBe(55);
    expect(stored!.tokens.cached_input).toBe(20);
    expect(stored!.tokens_used).toBe(475);
    expect(stored!.tokens.reasoning).toBe(7);
    expect(stored!.steps).toHaveLength(2);
    expect(stored!.steps[0]!.tool_calls_requested).toEqual(['search_knowledge_base', 'retrieve_order', 'create_ticket']);
    expect(stored!.steps.map((s) => s.tokens.input)).toEqual([120, 300]);
    const byName = Object.fromEntries(stored!.tool_calls.map((t) => [t.name, t.status]));
    expect(byName).toEqual({ search_knowledge_base: 'success', retrieve_order: 'timeout', create_ticket: 'error' });
    expect(stored!.transitions[0]!.state).toBe('started');
    expect(stored!.transitions.map((t) => t.state)).toContain('tool:retrieve_order');
    expect(stored!.transitions.at(-1)!.state).toBe('completed');
  });

  it('without sensitive data, takes tokens from turn usage and timeouts from the declared timeout_ms', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-agents-'));
    const path = join(dir, 'agent_config.yaml');
    writeFileSync(path, 'agent:\n  name: private_bot\n  model: gpt-4-turbo\n  max_iterations: 10\n  tools:\n    - type: retrieve_order\n      timeout_ms: 50\n');
    loadAgentConfig(path);
    configureFor(vigil.endpoint);
    fake.enqueue(
      toolCalls([{ name: 'retrieve_order', arguments: { id: 7 } }, { name: 'create_ticket', arguments: { title: 'x' } }], { usage: { input: 40, output: 8, cachedInput: 4 } }),
      text('done', { usage: { input: 60, output: 6 } }),
    );
    await new Runner({ traceIncludeSensitiveData: false }).run(supportAgent('private_bot'), 'order 7?');
    const [stored] = await waitForRuns('private_bot', 1);
    expect(stored!.completion_status).toBe('success');
    expect(stored!.tokens).toMatchObject({ input: 100, output: 14, cached_input: 4 });
    expect(Object.fromEntries(stored!.tool_calls.map((t) => [t.name, t.status]))).toEqual({ retrieve_order: 'timeout', create_ticket: 'error' });
    expect(stored!.tool_calls.every((t) => t.args_hash === null)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a run that exceeds maxTurns as iteration_limit', async () => {
    fake.setHandler(() => toolCalls([{ name: 'search_knowledge_base', arguments: { q: 'again' } }]));
    const err = await new Runner().run(supportAgent('looping_bot'), 'Loop forever', { maxTurns: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaxTurnsExceededError);
    const [stored] = await waitForRuns('looping_bot', 1);
    expect(stored!.completion_status).toBe('iteration_limit');
    expect(stored!.iterations).toBe(2);
    expect(stored!.error!.type).toBe('MaxTurnsExceededError');
  });

  it('records a model failure as error and a handoff as a transition', async () => {
    const billing = new Agent({ name: 'billing_bot', instructions: 'Billing.', model: 'gpt-4-turbo' });
    const triage = Agent.create({ name: 'triage_bot', instructions: 'Route.', model: 'gpt-4-turbo', handoffs: [billing] });
    fake.enqueue(toolCalls([{ name: 'transfer_to_billing_bot', arguments: {} }]), text('billing here'));
    await new Runner().run(triage, 'refund please');
    fake.enqueue({ kind: 'error', status: 500, message: 'model exploded' });
    await new Runner().run(supportAgent('failing_bot'), 'hi').catch(() => undefined);

    const [handed] = await waitForRuns('triage_bot', 1);
    expect(handed!.completion_status).toBe('success');
    expect(handed!.transitions.map((t) => t.state)).toContain('handoff:billing_bot');
    const [failed] = await waitForRuns('failing_bot', 1);
    expect(failed!.completion_status).toBe('error');
  });

  it('records two runs inside one trace as two runs', async () => {
    fake.enqueue(text('one'), text('two'));
    await withTrace('support workflow', async () => {
      await new Runner().run(supportAgent('workflow_bot'), 'first');
      await new Runner().run(supportAgent('workflow_bot'), 'second');
    });
    const runs = await waitForRuns('workflow_bot', 2);
    expect(runs.map((r) => r.completion_status)).toEqual(['success', 'success']);
  });
});
