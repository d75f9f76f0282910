// The demo fleet: five real agents (three hand-written loops on the `openai` client, two on the
// OpenAI Agents SDK), instrumented with @vigil/sdk, talking to the bundled fake model server,
// with steady traffic and the scheduled incidents of scenario.ts. It talks to Vigil only through
// the SDK and the public ingest API, exactly as a user's agents would.
import { setTraceProcessors, setTracingDisabled } from '@openai/agents';
import OpenAI from 'openai';
import { fileURLToPath } from 'node:url';
import * as vigil from '@vigil/sdk';
import { createBillingAgent } from '../agents/billing-agent.js';
import { createCodeReviewer } from '../agents/code-reviewer.js';
import { createCustomerSupportBot } from '../agents/customer-support-bot.js';
import { createResearchAssistant } from '../agents/research-assistant.js';
import { createTravelPlanner } from '../agents/travel-planner.js';
import { startFakeModelServer, type FakeModelServer } from '../fake-model/index.js';
import { createBackends } from './backends.js';
import { sendHistory } from './history.js';
import { createModelBrain } from './model-brain.js';
import { dailyLoad, PROFILES } from './profiles.js';
import { createScenario, INCIDENTS, type Scenario } from './scenario.js';

/** Most runs of one agent in flight at once; beyond it a run is skipped (the fleet never piles up). */
const MAX_IN_FLIGHT_PER_AGENT = 25;
/** How often the driver checks the schedule and the log, ms. */
const TICK_MS = 250;

export interface DemoFleetOptions {
  endpoint: string;
  apiKey: string;
  /** Write the last 24 hours of healthy history first (for baselines and charts). Default true. */
  history?: boolean;
  /** Traffic multiplier (tests use more to fill windows quickly). Default 1. */
  speed?: number;
  log?: (line: string) => void;
}

export interface DemoFleet {
  /** Runs started and failed so far, per agent. */
  stats(): Record<string, { started: number; failed: number }>;
  stop(): Promise<void>;
}

/** Where the agents' YAML configs are, from the sources or from the compiled dist/ alike. */
function configPath(file: string): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const root = /[\\/]dist[\\/]demo[\\/]?$/.test(here) ? new URL('../../', import.meta.url) : new URL('../', import.meta.url);
  return fileURLToPath(new URL(`agents/${file}`, root));
}

export async function startDemoFleet(opts: DemoFleetOptions): Promise<DemoFleet> {
  const log = opts.log ?? ((line: string) => console.log(`[demo] ${line}`));
  const speed = opts.speed ?? 1;
  if (opts.history ?? true) {
    try {
      await sendHistory({ endpoint: opts.endpoint, apiKey: opts.apiKey, now: Date.now(), log });
    } catch (err) {
      log(`history not written: ${(err as Error).message}`);
    }
  }
  // The schedule starts when live traffic does.
  const startedAt = Date.now();
  const scenario = createScenario(startedAt);

  vigil.configure({ endpoint: opts.endpoint, apiKey: opts.apiKey, environment: 'demo', logLevel: 'warn' });
  const fake: FakeModelServer = await startFakeModelServer({ handler: createModelBrain(scenario), recordRequests: false });
  const openai = new OpenAI({ baseURL: fake.baseURL, apiKey: 'demo-key-for-the-fake-model', maxRetries: 0 });
  // The Agents SDK's traces go to Vigil instead of OpenAI.
  setTracingDisabled(false);
  setTraceProcessors([new vigil.VigilTraceProcessor()]);

  const invoke = createFleetAgents(openai, scenario);
  let counter = 0;
  const stats: Record<string, { started: number; failed: number; inFlight: number; nextAt: number }> = {};
  for (const name of Object.keys(invoke)) stats[name] = { started: 0, failed: 0, inFlight: 0, nextAt: startedAt };
  const inFlight = new Set<Promise<unknown>>();

  let lastTick = startedAt;
  let stopped = false;
  log(`fleet started: ${Object.keys(invoke).join(', ')}; fake model at ${fake.baseURL}`);
  for (const inc of INCIDENTS) log(`scheduled at +${fmtOffset(inc.startMs)}: ${inc.agent}: ${inc.what} → ${inc.alerts.join(', ')}`);

  const tick = () => {
    const now = Date.now();
    for (const { incident, started } of scenario.changes(lastTick, now)) {
      log(`${started ? 'incident starts' : 'incident ends'}: ${incident.agent}: ${started ? incident.what : 'back to normal'}`);
    }
    lastTick = now;
    for (const [name, s] of Object.entries(stats)) {
      const perMs = (PROFILES[name]!.runsPerMinute * dailyLoad(now) * speed) / 60_000;
      while (s.nextAt <= now) {
        // Poisson arrivals: exponential gaps at the current rate.
        s.nextAt += -Math.log(1 - Math.random()) / perMs;
        if (s.inFlight >= MAX_IN_FLIGHT_PER_AGENT) continue;
        const seed = (counter++ * 2654435761 + Math.floor(Math.random() * 1e6)) >>> 0;
        s.started++;
        s.inFlight++;
        const p = invoke[name]!(seed)
          .catch(() => {
            s.failed++;
          })
          .finally(() => {
            s.inFlight--;
            inFlight.delete(p);
          });
        inFlight.add(p);
      }
    }
  };
  const timer = setInterval(tick, TICK_MS);
  const report = setInterval(() => {
    const line = Object.entries(stats).map(([n, s]) => `${n} ${s.started}/${s.failed}`).join(', ');
    log(`+${fmtOffset(Date.now() - startedAt)} runs started/failed so far: ${line}`);
  }, 60_000);

  return {
    stats: () => Object.fromEntries(Object.entries(stats).map(([n, s]) => [n, { started: s.started, failed: s.failed }])),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      clearInterval(report);
      // Give runs in flight a moment to end (hung tools are aborted by their timeouts), then flush.
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 5_000))]);
      await vigil.shutdown();
      await fake.close();
    },
  };
}

/**
 * The five agents, wired to the simulated backends and the scenario, as one function per agent
 * that runs one conversation from a seed (the fleet's traffic driver and the tests call these).
 */
export function createFleetAgents(openai: OpenAI, scenario: Scenario): Record<string, (seed: number) => Promise<unknown>> {
  const backends = createBackends(scenario);
  const support = createCustomerSupportBot({ openai, backends: backends.support, configPath: configPath('customer_support_bot.yaml') });
  const billing = createBillingAgent({
    openai,
    backends: backends.billing,
    configPath: configPath('billing_agent.yaml'),
    promptVersion: () => (scenario.isActive('prompt_bloat', Date.now()) ? 'v2' : 'v1'),
  });
  const reviewer = createCodeReviewer({ openai, backends: backends.review, configPath: configPath('code_reviewer.yaml') });
  const research = createResearchAssistant({ openai, backends: backends.research, configPath: configPath('research_assistant.yaml') });
  const travel = createTravelPlanner({ openai, backends: backends.travel, configPath: configPath('travel_planner.yaml') });

  const session = { id: 'sess-0', user: 'user-0', left: 0 };
  const invoke: Record<string, (seed: number) => Promise<unknown>> = {
    customer_support_bot: (seed) => {
      // A customer asks one to three questions in one session.
      if (session.left-- <= 0) Object.assign(session, { id: `sess-${seed.toString(36)}`, user: `user-${seed % 400}`, left: seed % 3 });
      return support.answer(PROFILES.customer_support_bot!.request(seed), { sessionId: session.id, userId: session.user });
    },
    billing_agent: (seed) => billing.handle(PROFILES.billing_agent!.request(seed)),
    code_reviewer: (seed) => reviewer.review(PROFILES.code_reviewer!.request(seed)),
    research_assistant: (seed) => research.ask(`${PROFILES.research_assistant!.request(seed)} (#${seed})`),
    travel_planner: (seed) => travel.plan(`${PROFILES.travel_planner!.request(seed)} (#${seed})`),
  };

  return invoke;
}

function fmtOffset(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
