// The fake model's "mind" for the demo: given a chat or responses request from one of the demo
// agents, it answers with the next tool call of that conversation's plan, or with the final text.
// Latency and token usage come from the agent's profile and the request itself (a longer prompt
// really costs more input tokens), bent by whatever incident is going on.
import type { FakeReply, FakeRequest } from '../fake-model/index.js';
import { around, BACKGROUND_ERROR_RATE, hashString, PROFILES, rng, type AgentProfile } from './profiles.js';
import type { Scenario } from './scenario.js';

/** Roughly how many characters make one token in English text. */
const CHARS_PER_TOKEN = 4;
/** Slow-model incident: each call takes this many times longer. */
export const SLOW_MODEL_FACTOR = 4;

interface Conversation {
  agent: AgentProfile;
  /** The user's first message: it seeds the plan, so every turn of one run agrees. */
  firstUserText: string;
  /** Tool results the model has already been given. */
  toolResults: number;
}

function toolNames(body: Record<string, unknown>): string[] {
  const tools = (body.tools as { name?: string; function?: { name?: string } }[] | undefined) ?? [];
  return tools.map((t) => t.function?.name ?? t.name ?? '').filter(Boolean);
}

/** The text of a message's content, whether a string or a list of parts ({type, text}). */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (p && typeof p === 'object' && 'text' in p ? String((p as { text: unknown }).text) : '')).join('');
}

/** Reads who is asking and how far the conversation is, from either API's request shape. */
export function readConversation(request: FakeRequest): Conversation | null {
  const names = toolNames(request.body);
  const agent = Object.values(PROFILES).find((p) => Object.keys(p.toolMs).some((t) => names.includes(t)));
  if (!agent) return null;
  if (request.endpoint === 'chat.completions') {
    const messages = (request.body.messages as { role: string; content?: unknown }[] | undefined) ?? [];
    const user = messages.find((m) => m.role === 'user');
    return { agent, firstUserText: textOf(user?.content), toolResults: messages.filter((m) => m.role === 'tool').length };
  }
  const input = request.body.input;
  const items = (Array.isArray(input) ? input : [{ role: 'user', content: input }]) as { role?: string; type?: string; content?: unknown }[];
  const user = items.find((i) => i.role === 'user');
  return { agent, firstUserText: textOf(user?.content), toolResults: items.filter((i) => i.type === 'function_call_output').length };
}

/** The loop incident: two trips in three get stuck asking for the very same flight search. */
export function loopsDuringIncident(seed: number): boolean {
  return seed % 3 !== 0;
}

export function createModelBrain(scenario: Scenario, now: () => number = Date.now) {
  let calls = 0;
  return (request: FakeRequest): FakeReply => {
    calls++;
    const convo = readConversation(request);
    if (!convo) return { kind: 'text', text: 'I can only help the demo agents.' };
    const { agent } = convo;
    const seed = hashString(convo.firstUserText);
    const random = rng(seed ^ (convo.toolResults * 7919) ^ calls);
    const t = now();

    const slow = agent.name === 'research_assistant' && scenario.isActive('slow_model', t) ? SLOW_MODEL_FACTOR : 1;
    const delayMs = around(agent.modelMs * slow, 0.35, random);
    // What a real model bills as input: the conversation, the instructions and the tool definitions.
    const prompt = JSON.stringify([request.body.messages ?? request.body.input ?? '', request.body.instructions ?? '', request.body.tools ?? []]);
    const input = Math.ceil(prompt.length / CHARS_PER_TOKEN);
    const usage = { input, output: around(agent.outputTokensPerCall, 0.3, random), cachedInput: Math.floor(input * 0.25) };

    if (random() < BACKGROUND_ERROR_RATE) return { kind: 'error', status: 500, delayMs };
    let plan = agent.plan(seed);
    if (agent.name === 'travel_planner' && scenario.isActive('flight_loop', t) && loopsDuringIncident(seed)) {
      plan = Array.from({ length: 50 }, () => plan[0]!);
    }
    const next = plan[convo.toolResults];
    if (next) {
      return { kind: 'tool_calls', calls: [{ name: next.name, arguments: next.args }], usage, delayMs, model: agent.model };
    }
    return { kind: 'text', text: `Done: ${agent.name} finished after ${convo.toolResults} tool calls.`, usage, delayMs, model: agent.model };
  };
}
