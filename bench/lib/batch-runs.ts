// The wire batch the ingest benchmarks post (SQLite and PostgreSQL alike): RUNS_PER_BATCH runs of
// three tool calls each, spread over 20 agents and the last ten minutes, 5% failed, 2% with a tool
// timeout. Deterministic apart from the run ids, which are unique per process.

export const RUNS_PER_BATCH = 500;
const AGENTS = 20;
const TOOLS = ['search_knowledge_base', 'create_ticket', 'retrieve_order'];

let seq = 0;

/** The next RUNS_PER_BATCH runs, started up to ten minutes before `now`. */
export function makeRuns(now: number) {
  return Array.from({ length: RUNS_PER_BATCH }, () => {
    const i = seq++;
    return {
      run_id: `b-${process.pid}-${i}`,
      agent_name: `agent_${i % AGENTS}`,
      completion_status: i % 20 === 0 ? 'error' : 'success',
      timestamp: now - (i % 600) * 1000,
      duration_ms: 800 + (i % 400),
      iterations: 1 + (i % 4),
      tokens: { input: 1000 + (i % 500), output: 200 + (i % 100), cached_input: 0, reasoning: 0 },
      model: 'gpt-4o-mini',
      tool_calls: TOOLS.map((name, k) => ({ name, status: k === 1 && i % 50 === 0 ? 'timeout' : 'success', duration_ms: 50 + k * 10 })),
    };
  });
}
