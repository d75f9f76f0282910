// The synthetic fleet the analytics benchmark writes and queries: 50 agents over 30 days, each
// with its own latency, token, iteration, success and tool profile, from a seeded generator so
// every run of the benchmark writes the same data.
import type { CompletionStatus, RunRecord, ToolCallRecord } from '@vigil/protocol';
import { gaussian, seededRandom } from '../lib/seeded-random.js';

export const FLEET_AGENTS = 50;
export const FLEET_DAYS = 30;
/** The data ends here (exclusive); queries ask about the last 24 h / 30 days before it. */
export const FLEET_END = Date.UTC(2026, 9, 1);
export const FLEET_START = FLEET_END - FLEET_DAYS * 86_400_000;

const TOOLS = ['search', 'fetch_page', 'lookup_order', 'send_email', 'run_sql', 'calculator', 'create_ticket', 'read_file'];
const MODELS = ['gpt-4.1-mini', 'gpt-4o', 'gpt-5-mini', 'o4-mini', 'internal-llm'];

interface AgentProfile {
  name: string;
  medianMs: number;
  medianTokens: number;
  meanIterations: number;
  successRate: number;
  tools: string[];
  model: string;
}

export function fleetProfiles(): AgentProfile[] {
  const r = seededRandom(42);
  return Array.from({ length: FLEET_AGENTS }, (_, i) => ({
    name: `agent-${String(i).padStart(2, '0')}`,
    medianMs: 400 + r() * 8000,
    medianTokens: 300 + r() * 20_000,
    meanIterations: 1 + r() * 8,
    successRate: 0.85 + r() * 0.14,
    tools: TOOLS.filter(() => r() < 0.5).slice(0, 5).concat(TOOLS[i % TOOLS.length]!).filter((t, j, a) => a.indexOf(t) === j),
    model: MODELS[i % MODELS.length]!,
  }));
}

const STATUSES: CompletionStatus[] = ['error', 'iteration_limit', 'timeout', 'gave_up'];

/** A generator of runs in time order: run i of n starts at FLEET_START + i·span/n (+ jitter). */
export function createRunFactory(totalRuns: number, seed = 7) {
  const profiles = fleetProfiles();
  const r = seededRandom(seed);
  // Log-normal spreads.
  const gauss = (): number => gaussian(r);
  const spacing = (FLEET_END - FLEET_START) / totalRuns;

  return (i: number): RunRecord => {
    const p = profiles[Math.floor(r() * profiles.length)]!;
    const timestamp = Math.min(FLEET_END - 1, Math.floor(FLEET_START + i * spacing + r() * spacing));
    const hour = new Date(timestamp).getUTCHours();
    const load = 1 + 0.3 * Math.sin(((hour - 6) / 24) * 2 * Math.PI);
    const duration = Math.round(p.medianMs * load * Math.exp(0.6 * gauss()));
    const tokens = Math.max(1, Math.round(p.medianTokens * Math.exp(0.5 * gauss())));
    const input = Math.round(tokens * 0.8);
    const iterations = Math.max(1, Math.round(p.meanIterations * Math.exp(0.4 * gauss())));
    const ok = r() < p.successRate;
    const nTools = Math.floor(r() * 4);
    const tool_calls: ToolCallRecord[] = [];
    for (let k = 0; k < nTools; k++) {
      const x = r();
      tool_calls.push({
        name: p.tools[Math.floor(r() * p.tools.length)]!,
        status: x < 0.93 ? 'success' : x < 0.97 ? 'error' : 'timeout',
        duration_ms: Math.round(50 + r() * 2000),
        started_at: null, call_id: null, args_hash: null, error: null, arguments: null,
      });
    }
    return {
      run_id: `run-${String(i).padStart(9, '0')}`,
      agent_name: p.name,
      timestamp,
      ended_at: timestamp + duration,
      duration_ms: duration,
      iterations,
      tokens_used: tokens,
      tokens: { input, output: tokens - input, cached_input: Math.round(input * 0.3), reasoning: 0 },
      model: p.model,
      completion_status: ok ? 'success' : STATUSES[Math.floor(r() * STATUSES.length)]!,
      error: null,
      cost_usd: p.model === 'internal-llm' ? null : tokens * 2e-6,
      environment: null, release: null, session_id: null, user_id: null, tags: {},
      tool_calls, steps: [], transitions: [], sampled: true, received_at: timestamp + duration,
    };
  };
}
