// The demo fleet's parts: its schedule, its fake model's script, its history, and the five agents
// themselves recording real runs through @vigil/sdk into a real Vigil server, including what each
// incident does to them.
import { setTraceProcessors, setTracingDisabled } from '@openai/agents';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateRunBatch } from '@vigil/protocol';
import * as vigil from '@vigil/sdk';
import { createVigilServer, type VigilServer } from '@vigil/server';
import { startFakeModelServer, type FakeModelServer, type FakeRequest } from '../fake-model/index.js';
import { createFleetAgents } from './fleet.js';
import { historyRuns } from './history.js';
import { createModelBrain, loopsDuringIncident } from './model-brain.js';
import { hashString, PROFILES } from './profiles.js';
import { createScenario, CYCLE_MS, INCIDENTS, type Incident, type Scenario } from './scenario.js';

const KEY = 'vgl_demo_test_key';
const MIN = 60_000;

/** A scenario with the given incidents on, whatever the time. */
const stuck = (...on: Incident['id'][]): Scenario => ({ isActive: (id) => on.includes(id), changes: () => [] });

describe('the demo schedule', () => {
  it('turns each incident on at its offset and off at its end, in every cycle', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const s = createScenario(t0);
    for (const cycle of [0, 3]) {
      for (const inc of INCIDENTS) {
        const base = t0 + cycle * CYCLE_MS;
        expect(s.isActive(inc.id, base + inc.startMs - 1)).toBe(false);
        expect(s.isActive(inc.id, base + inc.startMs)).toBe(true);
        expect(s.isActive(inc.id, base + inc.endMs - 1)).toBe(true);
        expect(s.isActive(inc.id, base + inc.endMs)).toBe(false);
      }
    }
    const changes = s.changes(t0, t0 + 5 * MIN);
    expect(changes).toHaveLength(INCIDENTS.length * 2);
    expect(changes.filter((c) => c.started).map((c) => c.incident.id)).toEqual(INCIDENTS.map((i) => i.id));
  });

  it('covers every built-in alert with some incident', () => {
    const covered = new Set(INCIDENTS.flatMap((i) => i.alerts));
    for (const name of ['IterationLimitHit', 'ToolTimeoutChain', 'TokenBudgetOverrun', 'LatencyP95Spike', 'SuccessRateDrop', 'AgentLooping']) {
      expect(covered.has(name), name).toBe(true);
    }
  });
});

describe("the fake model's script", () => {
  const chat = (agent: string, user: string, toolResults: number, extra: Record<string, unknown> = {}): FakeRequest => ({
    endpoint: 'chat.completions',
    stream: false,
    headers: {},
    body: {
      messages: [{ role: 'user', content: user }, ...Array.from({ length: toolResults }, () => ({ role: 'tool', content: '{}' }))],
      tools: Object.keys(PROFILES[agent]!.toolMs).map((name) => ({ type: 'function', function: { name } })),
      ...extra,
    },
  });

  it("asks for the agent's planned tools one per turn, then answers", () => {
    const brain = createModelBrain(stuck());
    const user = 'Where is my order #4242?';
    const plan = PROFILES.customer_support_bot!.plan(hashString(user));
    const asked = plan.map((_, k) => brain(chat('customer_support_bot', user, k)));
    expect(asked.map((r) => (r.kind === 'tool_calls' ? r.calls[0]!.name : r.kind))).toEqual(plan.map((p) => p.name));
    expect(brain(chat('customer_support_bot', user, plan.length)).kind).toBe('text');
  });

  it('charges input tokens for what the request carries, so a longer prompt costs more', () => {
    const brain = createModelBrain(stuck());
    const usage = (instructions: string) => {
      const r = brain({ ...chat('billing_agent', 'Refund INV-1', 0), endpoint: 'responses', body: { input: 'Refund INV-1', instructions, tools: [{ type: 'function', name: 'lookup_invoice' }] } });
      return r.kind === 'tool_calls' ? r.usage!.input : 0;
    };
    expect(usage('x'.repeat(40_000))).toBeGreaterThan(10 * usage('x'.repeat(400)));
  });

  it('during the loop incident keeps asking most trips for the very same flight search', () => {
    const brain = createModelBrain(stuck('flight_loop'));
    const looping = Array.from({ length: 40 }, (_, i) => `trip ${i}`).filter((u) => loopsDuringIncident(hashString(u)))[0]!;
    const calls = [0, 1, 2, 3, 4].map((k) => brain(chat('travel_planner', looping, k)));
    const args = calls.map((r) => (r.kind === 'tool_calls' ? `${r.calls[0]!.name} ${JSON.stringify(r.calls[0]!.arguments)}` : r.kind));
    expect(new Set(args).size).toBe(1);
    expect(args[0]).toMatch(/^search_flights /);
  });

  it('slows the research model down during the slow-model incident', () => {
    const median = (scenario: Scenario) => {
      const brain = createModelBrain(scenario);
      const ds = Array.from({ length: 41 }, (_, i) => brain(chat('research_assistant', `q${i}`, 0))).map((r) => ('delayMs' in r ? (r.delayMs ?? 0) : 0)).sort((a, b) => a - b);
      return ds[20]!;
    };
    expect(median(stuck('slow_model'))).toBeGreaterThan(2.5 * median(stuck()));
  });
});

describe('the 24-hour history', () => {
  it('is valid wire runs at each agent’s rate, with ids that re-send idempotently', () => {
    const to = Date.UTC(2026, 0, 1, 12);
    const runs = [...historyRuns(to - 60 * MIN, to)];
    const check = validateRunBatch({ runs });
    expect(check.ok ? [] : check.issues.slice(0, 3)).toEqual([]);
    expect(new Set(runs.map((r) => r.run_id)).size).toBe(runs.length);
    expect([...historyRuns(to - 60 * MIN, to)].map((r) => r.run_id)).toEqual(runs.map((r) => r.run_id));
    const perAgent = (name: string) => runs.filter((r) => r.agent_name === name).length;
    for (const p of Object.values(PROFILES)) {
      expect(perAgent(p.name)).toBeGreaterThan(p.runsPerMinute * 60 * 0.55);
      expect(perAgent(p.name)).toBeLessThan(p.runsPerMinute * 60 * 1.05);
    }
  });
});

describe('the five agents, recording through @vigil/sdk into a real server', () => {
  let server: VigilServer;
  let fake: FakeModelServer;
  let brainScenario: Scenario = stuck();
  let openai: OpenAI;

  beforeAll(async () => {
    server = await createVigilServer({ db: ':memory:', apiKeys: [KEY], logger: false, alerting: { start: false } });
    const endpoint = await server.app.listen({ port: 0, host: '127.0.0.1' });
    fake = await startFakeModelServer({ handler: (r) => createModelBrain(brainScenario)(r), recordRequests: false });
    openai = new OpenAI({ baseURL: fake.baseURL, apiKey: 'test', maxRetries: 0 });
    vigil.configure({ endpoint, apiKey: KEY, environment: 'demo', logLevel: 'error' });
    // vitest sets NODE_ENV=test, which turns Agents SDK tracing off by default.
    setTracingDisabled(false);
    setTraceProcessors([new vigil.VigilTraceProcessor()]);
  });
  afterAll(async () => {
    setTraceProcessors([]);
    await vigil.shutdown();
    await fake.close();
    await server.close();
  });

  const runsOf = async (agent: string) => {
    await vigil.flush();
    const res = await server.app.inject({ url: `/api/runs?agent_name=${agent}&limit=100`, headers: { authorization: `Bearer ${KEY}` } });
    return (res.json() as { runs: { run_id: string; completion_status: string; iterations: number; tokens_used: number; tool_calls: { name: string; status: string; args_hash: string | null }[] }[] }).runs;
  };
  /** A seed whose planned conversation includes `tool`. */
  const seedCalling = (agent: string, tool: string) => {
    for (let seed = 1; ; seed++) {
      const text = agent === 'customer_support_bot' ? PROFILES[agent]!.request(seed) : `${PROFILES[agent]!.request(seed)} (#${seed})`;
      if (PROFILES[agent]!.plan(hashString(text)).some((c) => c.name === tool)) return seed;
    }
  };

  it('each agent records a successful run with its iterations, tool calls and tokens, and registers its config', async () => {
    brainScenario = stuck();
    const invoke = createFleetAgents(openai, brainScenario);
    await Promise.all(Object.keys(PROFILES).map((name) => invoke[name]!(seedCalling(name, Object.keys(PROFILES[name]!.toolMs)[0]!))));
    for (const name of Object.keys(PROFILES)) {
      const runs = await runsOf(name);
      expect(runs.length, name).toBe(1);
      const run = runs[0]!;
      expect(run.completion_status, name).toBe('success');
      expect(run.iterations, name).toBe(run.tool_calls.length + 1);
      expect(run.tokens_used, name).toBeGreaterThan(0);
      expect(run.tool_calls.every((t) => t.status === 'success' && t.name in PROFILES[name]!.toolMs), name).toBe(true);
    }
    const agents = (await server.app.inject({ url: '/api/agents', headers: { authorization: `Bearer ${KEY}` } })).json() as { agents: { agent_name: string; declared: boolean }[] };
    expect(agents.agents.filter((a) => a.declared).map((a) => a.agent_name).sort()).toEqual(Object.keys(PROFILES).sort());
  }, 60_000);

  it('in the ticketing outage, create_ticket times out after its YAML timeout and the conversation fails', async () => {
    brainScenario = stuck('ticketing_outage');
    const invoke = createFleetAgents(openai, brainScenario);
    const before = (await runsOf('customer_support_bot')).length;
    await expect(invoke.customer_support_bot!(seedCalling('customer_support_bot', 'create_ticket'))).rejects.toThrow(/timed out/);
    const runs = await runsOf('customer_support_bot');
    expect(runs.length).toBe(before + 1);
    const failed = runs.find((r) => r.completion_status !== 'success')!;
    expect(failed.completion_status).toBe('timeout');
    expect(failed.tool_calls.at(-1)).toMatchObject({ name: 'create_ticket', status: 'timeout' });
  }, 30_000);

  it('with prompt v2, a billing run uses over 10 times the tokens of a normal one', async () => {
    const normal = createFleetAgents(openai, (brainScenario = stuck()));
    const seed = seedCalling('billing_agent', 'issue_refund');
    await normal.billing_agent!(seed);
    const bloated = createFleetAgents(openai, (brainScenario = stuck('prompt_bloat')));
    await bloated.billing_agent!(seed);
    const runs = await runsOf('billing_agent');
    const [newest, previous] = runs;
    expect(newest!.tokens_used).toBeGreaterThan(10 * previous!.tokens_used);
  }, 30_000);

  it('in the loop incident, the Agents SDK planner ends at its turn limit after repeating one call', async () => {
    const invoke = createFleetAgents(openai, (brainScenario = stuck('flight_loop')));
    const seed = Array.from({ length: 200 }, (_, i) => i + 1).find((s) => loopsDuringIncident(hashString(`${PROFILES.travel_planner!.request(s)} (#${s})`)))!;
    await invoke.travel_planner!(seed);
    const runs = await runsOf('travel_planner');
    const looped = runs.find((r) => r.completion_status === 'iteration_limit');
    expect(looped).toBeDefined();
    expect(looped!.tool_calls.length).toBeGreaterThanOrEqual(3);
    expect(new Set(looped!.tool_calls.map((t) => `${t.name}:${t.args_hash}`)).size).toBe(1);
  }, 30_000);
});
