// A small fleet with a known shape, sent through the public ingest API, for the browser tests:
// counts per agent and per time range are known, one run has a detailed timeline, one agent
// loops into its iteration limit (alerts), and agent content carries HTML that must stay text.
import type { VigilServer } from '../../src/app/server.js';
import { ADMIN_KEY } from './harness.js';

export const XSS_TOOL = '<img src=x onerror=alert(1)>';
export const XSS_AGENT = '<b onmouseover=alert(3)>xss_agent</b>';
export const XSS_ERROR = '<script>alert(2)</script> broke';
export const TIMELINE_RUN = 'timeline-run';
export const SUPPORT_RUNS = 70;
/** support_bot's runs are 150 s apart, the newest 75 s ago. */
export const SUPPORT_STEP_MS = 150_000;

const MIN = 60_000;
const iso = (t: number) => new Date(t).toISOString();

export interface SeededFleet {
  /** Runs per agent over the last 24 hours and over the last hour. */
  counts: Record<string, { day: number; hour: number }>;
  loopRunIds: string[];
}

export async function seedFleet(vigil: VigilServer, now: number): Promise<SeededFleet> {
  const runs: Record<string, unknown>[] = [];
  const add = (run: Record<string, unknown>) => runs.push(run);

  for (let i = 0; i < SUPPORT_RUNS; i++) {
    // Half a step off the minute grid, so no run sits on the edge of a "last hour" range.
    const t = now - (SUPPORT_RUNS - i) * SUPPORT_STEP_MS + SUPPORT_STEP_MS / 2;
    const failed = i % 10 === 0;
    add({
      run_id: `support-${String(i).padStart(3, '0')}`,
      agent_name: 'support_bot',
      timestamp: iso(t),
      duration_ms: 1000 + (i % 7) * 150,
      iterations: 2,
      model: 'gpt-4o-mini',
      tokens: { input: 800 + i, output: 200 },
      completion_status: failed ? 'timeout' : 'success',
      tool_calls: [
        { name: 'search_knowledge_base', status: 'success', duration_ms: 120 },
        { name: 'create_ticket', status: failed ? 'timeout' : 'success', duration_ms: failed ? 3000 : 200 },
      ],
    });
  }
  for (let i = 0; i < 15; i++) {
    add({
      run_id: `research-${i}`,
      agent_name: 'research_bot',
      timestamp: iso(now - 30 * MIN + i * 2 * MIN),
      duration_ms: 2500,
      iterations: 3,
      model: 'gpt-4o',
      tokens: { input: 1500, output: 400 },
      completion_status: 'success',
      tool_calls: [{ name: 'web_search', status: 'success', duration_ms: 400 }],
    });
  }
  const loopRunIds = ['loop-1', 'loop-2', 'loop-3'];
  loopRunIds.forEach((id, i) => add({
    run_id: id,
    agent_name: 'loop_bot',
    timestamp: iso(now - (9 - i * 3) * MIN),
    duration_ms: 4000,
    iterations: 8,
    completion_status: 'iteration_limit',
    tool_calls: Array.from({ length: 6 }, () => ({ name: 'search_flights', status: 'success', duration_ms: 300, args_hash: 'same-args' })),
  }));

  // One run with full detail: three iterations and three tool calls with distinct statuses.
  const t0 = now - 20 * MIN;
  add({
    run_id: TIMELINE_RUN,
    agent_name: 'support_bot',
    timestamp: iso(t0),
    ended_at: iso(t0 + 5200),
    iterations: 3,
    model: 'gpt-4o-mini',
    completion_status: 'timeout',
    error: { type: 'VigilToolTimeoutError', message: 'tool create_ticket timed out after 3000ms' },
    session_id: 'sess-42',
    steps: [
      { model: 'gpt-4o-mini', started_at: iso(t0), duration_ms: 280, tokens: { input: 300, output: 40 }, finish_reason: 'tool_calls' },
      { model: 'gpt-4o-mini', started_at: iso(t0 + 460), duration_ms: 220, tokens: { input: 380, output: 35 }, finish_reason: 'tool_calls' },
      { model: 'gpt-4o-mini', started_at: iso(t0 + 900), duration_ms: 250, tokens: { input: 450, output: 30 }, finish_reason: 'tool_calls' },
    ],
    tool_calls: [
      { name: 'search_knowledge_base', status: 'success', started_at: iso(t0 + 300), duration_ms: 140, call_id: 'c1', args_hash: 'a1' },
      { name: 'retrieve_order', status: 'error', started_at: iso(t0 + 700), duration_ms: 90, call_id: 'c2', args_hash: 'a2', error: { type: 'OrderNotFound', message: 'no order 1042' } },
      { name: 'create_ticket', status: 'timeout', started_at: iso(t0 + 1180), duration_ms: 3000, call_id: 'c3', args_hash: 'a3' },
    ],
    transitions: [
      { state: 'started', at: iso(t0) },
      { state: 'thinking', at: iso(t0 + 1) },
      { state: 'tool:search_knowledge_base', at: iso(t0 + 300) },
      { state: 'thinking', at: iso(t0 + 460) },
      { state: 'tool:retrieve_order', at: iso(t0 + 700) },
      { state: 'thinking', at: iso(t0 + 900) },
      { state: 'tool:create_ticket', at: iso(t0 + 1180) },
      { state: 'timeout', at: iso(t0 + 4200) },
    ],
  });
  add({ run_id: `${TIMELINE_RUN}-2`, agent_name: 'support_bot', timestamp: iso(t0 + 10 * MIN), duration_ms: 900, completion_status: 'success', session_id: 'sess-42', tool_calls: [] });

  // Agent content with HTML in it: a tool name, an error message and an agent name.
  add({
    run_id: 'xss-run',
    agent_name: 'support_bot',
    timestamp: iso(now - 40 * MIN),
    duration_ms: 700,
    completion_status: 'error',
    error: { type: 'Error', message: XSS_ERROR },
    tool_calls: [{ name: XSS_TOOL, status: 'error', duration_ms: 10, started_at: iso(now - 40 * MIN + 100), error: { type: 'Error', message: XSS_ERROR } }],
  });
  add({ run_id: 'xss-agent-run', agent_name: XSS_AGENT, timestamp: iso(now - 5 * MIN), duration_ms: 500, completion_status: 'success', tool_calls: [{ name: XSS_TOOL, status: 'success', duration_ms: 5 }] });

  const post = async (url: string, payload: unknown) => {
    const res = await vigil.app.inject({ method: 'POST', url, payload: payload as object, headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  };
  await post('/v1/agents', {
    name: 'support_bot',
    model: 'gpt-4o-mini',
    max_iterations: 10,
    tools: [{ type: 'search_knowledge_base', timeout_ms: 5000 }, { type: 'create_ticket', timeout_ms: 3000 }, { type: 'retrieve_order', timeout_ms: 2000 }, { type: 'escalate_to_human', timeout_ms: 5000 }],
  });
  await post('/v1/runs', { runs });

  const counts: SeededFleet['counts'] = {};
  for (const r of runs) {
    const t = Date.parse(r.timestamp as string);
    const c = (counts[r.agent_name as string] ??= { day: 0, hour: 0 });
    if (t >= now - 24 * 3600_000) c.day++;
    if (t >= now - 3600_000) c.hour++;
  }
  return { counts, loopRunIds };
}
