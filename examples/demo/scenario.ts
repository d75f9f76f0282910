// The demo's schedule: steady traffic, and incidents at fixed offsets in a repeating cycle, each
// meant to make specific built-in alerts fire and then resolve. It only answers "what is going on
// at time t"; the backends and the fake model read it. Time is passed in, never read here.

export interface Incident {
  id: 'ticketing_outage' | 'prompt_bloat' | 'slow_model' | 'flight_loop';
  agent: string;
  /** Offsets in the cycle, ms. */
  startMs: number;
  endMs: number;
  what: string;
  /** The alerts it should raise. */
  alerts: string[];
}

const MIN = 60_000;

/**
 * One cycle lasts CYCLE_MS; incidents sit in its first minutes so that each alert fires within
 * ~5 minutes of the demo's start and resolves once the alert window no longer holds the incident
 * (5-minute windows in the demo profile: everything is over by ~10 minutes; with the default
 * 15-minute windows, by ~20). The rest of the cycle is quiet, then it repeats.
 */
export const CYCLE_MS = 30 * MIN;

export const INCIDENTS: readonly Incident[] = [
  {
    id: 'ticketing_outage',
    agent: 'customer_support_bot',
    startMs: 1 * MIN,
    endMs: 3 * MIN,
    what: 'the ticketing system stops answering: create_ticket times out and those conversations fail',
    alerts: ['ToolTimeoutChain', 'SuccessRateDrop'],
  },
  {
    id: 'prompt_bloat',
    agent: 'billing_agent',
    startMs: 1.5 * MIN,
    endMs: 2.5 * MIN,
    what: 'prompt v2 ships with the whole refund policy pasted in: every call carries ~15x the input tokens (rolled back after a minute)',
    alerts: ['TokenBudgetOverrun'],
  },
  {
    id: 'slow_model',
    agent: 'research_assistant',
    startMs: 2 * MIN,
    endMs: 4 * MIN,
    what: 'the model provider slows down: each model call takes ~4x longer',
    alerts: ['LatencyP95Spike'],
  },
  {
    id: 'flight_loop',
    agent: 'travel_planner',
    startMs: 2.5 * MIN,
    endMs: 4 * MIN,
    what: 'the model keeps repeating the same flight search until the turn limit (two trips in three)',
    alerts: ['AgentLooping', 'IterationLimitHit'],
  },
];

export interface Scenario {
  /** Whether an incident is going on at `now` (epoch ms). */
  isActive(id: Incident['id'], now: number): boolean;
  /** Incidents that start or end between `since` (exclusive) and `now` (inclusive), for the log. */
  changes(since: number, now: number): { incident: Incident; started: boolean }[];
}

export function createScenario(startedAt: number): Scenario {
  const offset = (t: number) => (((t - startedAt) % CYCLE_MS) + CYCLE_MS) % CYCLE_MS;
  const cycle = (t: number) => Math.floor((t - startedAt) / CYCLE_MS);
  return {
    isActive(id, now) {
      const inc = INCIDENTS.find((i) => i.id === id);
      if (!inc || now < startedAt) return false;
      const o = offset(now);
      return o >= inc.startMs && o < inc.endMs;
    },
    changes(since, now) {
      const out: { incident: Incident; started: boolean }[] = [];
      for (let c = Math.max(0, cycle(since)); c <= cycle(now); c++) {
        for (const inc of INCIDENTS) {
          for (const [edge, started] of [[inc.startMs, true], [inc.endMs, false]] as const) {
            const t = startedAt + c * CYCLE_MS + edge;
            if (t > since && t <= now) out.push({ incident: inc, started });
          }
        }
      }
      return out;
    },
  };
}
