// Test helpers: a real in-process Vigil server on port 0, read back through its public API, and
// a clean SDK state per test.
import type { AddressInfo } from 'node:net';
import { createVigilServer } from '@vigil/server';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startFakeModelServer, type FakeModelServer } from '../../../examples/fake-model/index.js';
import { configure, flush, shutdown } from '../src/index.js';
import type { VigilOptions } from '../src/index.js';
import { resetForTests } from '../src/runtime.js';

export const API_KEY = 'test-key';

/** The run as the read API returns it (GET /api/runs/:run_id). */
export interface StoredRun {
  run_id: string;
  agent_name: string;
  completion_status: string;
  iterations: number;
  tokens_used: number;
  tokens: { input: number; output: number; cached_input: number; reasoning: number };
  model: string | null;
  duration_ms: number;
  error: { type?: string; message?: string } | null;
  sampled: boolean;
  tool_calls: Array<{ name: string; status: string; duration_ms: number | null; args_hash: string | null; error: { type?: string; message?: string } | null; arguments: string | null }>;
  steps: Array<{ model: string | null; tokens: { input: number; output: number; cached_input: number; reasoning: number }; finish_reason: string | null; request_id: string | null; error: { type?: string } | null; tool_calls_requested: string[] }>;
  transitions: Array<{ state: string; at: string }>;
}

export interface TestVigil {
  endpoint: string;
  port: number;
  getRun(runId: string): Promise<StoredRun | undefined>;
  listRuns(agentName: string): Promise<StoredRun[]>;
  close(): Promise<void>;
}

export async function startVigil(port = 0): Promise<TestVigil> {
  const vigil = await createVigilServer({ db: ':memory:', apiKeys: [API_KEY], logger: false });
  await vigil.app.listen({ port, host: '127.0.0.1' });
  const actual = (vigil.app.server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${actual}`;
  const get = async (path: string) => {
    const res = await fetch(endpoint + path, { headers: { authorization: `Bearer ${API_KEY}` } });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  return {
    endpoint,
    port: actual,
    async getRun(runId) {
      const r = await get(`/api/runs/${encodeURIComponent(runId)}`);
      return r.status === 200 ? (r.body as StoredRun) : undefined;
    },
    async listRuns(agentName) {
      const r = await get(`/api/runs?agent_name=${encodeURIComponent(agentName)}&limit=1000`);
      if (r.status !== 200) throw new Error(`GET /api/runs: ${r.status} ${JSON.stringify(r.body)}`);
      return (r.body as { runs: StoredRun[] }).runs;
    },
    close: () => vigil.close(),
  };
}

/** Points the SDK at `endpoint` with fast batching and quiet logs. */
export function configureFor(endpoint: string, extra: VigilOptions = {}): void {
  configure({ endpoint, apiKey: API_KEY, scheduledDelayMs: 20, logLevel: 'off', flushOnExit: false, ...extra });
}

/** Flushes, shuts the SDK down and forgets its state, so the next test starts clean. */
export async function resetSdk(timeoutMs = 5_000): Promise<void> {
  await flush(timeoutMs);
  await shutdown(timeoutMs);
  resetForTests();
}

/**
 * Hooks for a test file of model calls: one Vigil server for the file, a fresh fake model server
 * and SDK configuration per test. Read them through the getters once the hooks have run.
 */
export function useVigilAndFakeModel(): { vigil: () => TestVigil; fake: () => FakeModelServer } {
  let vigil: TestVigil | undefined;
  let fake: FakeModelServer | undefined;
  beforeAll(async () => {
    vigil = await startVigil();
  });
  afterAll(async () => {
    await vigil?.close();
  });
  beforeEach(async () => {
    fake = await startFakeModelServer();
    configureFor(vigil!.endpoint);
  });
  afterEach(async () => {
    await resetSdk();
    await fake?.close();
  });
  return { vigil: () => vigil!, fake: () => fake! };
}
