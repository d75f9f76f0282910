// Builds a real Vigil server on a fresh in-memory SQLite database for a test, with one
// pre-provisioned all-scope key. Callers use app.inject() or listen on port 0.
import { createVigilServer, type VigilServer, type VigilServerOptions } from '../../src/app/server.js';

export const TEST_KEY = 'vgl_test_key_all_scopes';

export async function startTestServer(options: VigilServerOptions = {}): Promise<VigilServer & { key: string }> {
  const vigil = await createVigilServer({ db: ':memory:', apiKeys: [TEST_KEY], logger: false, ...options });
  return Object.assign(vigil, { key: TEST_KEY });
}

export const auth = (key: string = TEST_KEY) => ({ authorization: `Bearer ${key}` });

/** The seed write-up's curl payload, exactly as written there. */
export const SEED_PAYLOAD = `{
    "agent_name": "customer_support_bot",
    "run_id": "uuid-here",
    "duration_ms": 2847,
    "iterations": 3,
    "tokens_used": 1240,
    "tool_calls": [
      {"name": "search_knowledge_base", "status": "success"},
      {"name": "create_ticket", "status": "success"}
    ],
    "completion_status": "success",
    "timestamp": "2024-01-15T09:23:45Z"
  }`;

let counter = 0;
/** A valid full-model run with three tool calls; fields can be overridden. */
export function makeRun(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    run_id: `run-${process.pid}-${counter}`,
    agent_name: 'support_bot',
    completion_status: 'success',
    timestamp: new Date(Date.now() - 60_000).toISOString(),
    duration_ms: 1200,
    iterations: 2,
    tokens: { input: 900, output: 300, cached_input: 100, reasoning: 0 },
    model: 'gpt-4o-mini',
    tool_calls: [
      { name: 'search_knowledge_base', status: 'success', duration_ms: 120 },
      { name: 'retrieve_order', status: 'success', duration_ms: 80 },
      { name: 'create_ticket', status: 'success', duration_ms: 300 },
    ],
    ...overrides,
  };
}
