// The last 24 hours of a healthy fleet, written once when the demo starts on an empty server, so
// that charts have a past and the baseline rules (LatencyP95Spike, the anomaly detector) have
// something to compare the live traffic with. Runs are drawn from the same profiles as the live
// agents and sent like any client would: POST /v1/runs with an ingest key. Their ids are
// deterministic per minute, so a second start re-sends (idempotently) instead of doubling.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { around, BACKGROUND_ERROR_RATE, dailyLoad, hashString, PROFILES, rng, type AgentProfile } from './profiles.js';

export const HISTORY_MS = 24 * 3600_000;
/** Detail (steps, transitions) is kept for this fraction of history runs, like trace_sampling_rate. */
const DETAIL_FRACTION = 0.1;
const BATCH = 1000;

type WireRun = Record<string, unknown>;

function argsHash(args: unknown): string {
  return createHash('sha256').update(JSON.stringify(args)).digest('hex').slice(0, 16);
}

/** One synthetic run of `agent` starting at `t`. */
export function historyRun(agent: AgentProfile, t: number, index: number): WireRun {
  const id = `demo-${agent.name}-${Math.floor(t / 60_000)}-${index}`;
  const seed = hashString(id);
  const random = rng(seed);
  const plan = agent.plan(seed);
  const detail = random() < DETAIL_FRACTION;
  const failAt = random() < BACKGROUND_ERROR_RATE * (plan.length + 1) ? Math.floor(random() * (plan.length + 1)) : -1;
  let clock = t;
  const steps: WireRun[] = [];
  const toolCalls: WireRun[] = [];
  const transitions: WireRun[] = [{ state: 'started', at: clock }];
  const tokens = { input: 0, output: 0, cached_input: 0, reasoning: 0 };
  let status = 'success';
  for (let k = 0; k <= plan.length; k++) {
    const ms = around(agent.modelMs, 0.35, random);
    const input = agent.inputTokens.first + k * agent.inputTokens.perTurn;
    const output = around(agent.outputTokensPerCall, 0.3, random);
    transitions.push({ state: 'thinking', at: clock });
    steps.push({ model: agent.model, started_at: clock, duration_ms: ms, tokens: { input, output, cached_input: Math.floor(input * 0.25) }, finish_reason: k < plan.length ? 'tool_calls' : 'stop' });
    clock += ms + 2;
    tokens.input += input;
    tokens.output += output;
    tokens.cached_input += Math.floor(input * 0.25);
    if (k === failAt) {
      status = 'error';
      break;
    }
    const call = plan[k];
    if (!call) break;
    const toolMs = around(agent.toolMs[call.name]!, 0.4, random);
    transitions.push({ state: `tool:${call.name}`, at: clock });
    toolCalls.push({ name: call.name, status: 'success', duration_ms: toolMs, started_at: clock, call_id: `${id}-${k}`, args_hash: argsHash(call.args) });
    clock += toolMs + 1;
  }
  transitions.push({ state: status === 'success' ? 'completed' : 'error', at: clock });
  return {
    run_id: id,
    agent_name: agent.name,
    timestamp: t,
    ended_at: clock,
    duration_ms: clock - t,
    iterations: steps.length,
    tokens,
    tokens_used: tokens.input + tokens.output,
    model: agent.model,
    completion_status: status,
    ...(status === 'error' ? { error: { type: 'InternalServerError', message: '500 fake error 500' } } : {}),
    environment: 'demo',
    tags: { source: 'demo-history' },
    tool_calls: detail ? toolCalls : toolCalls.map(({ name, status: s, duration_ms, args_hash }) => ({ name, status: s, duration_ms, args_hash })),
    ...(detail ? { steps, transitions, sampled: true } : { sampled: false }),
  };
}

/** Every history run between `from` and `to`, minute by minute, following each agent's rate and the daily load. */
export function* historyRuns(from: number, to: number): Generator<WireRun> {
  for (let minute = Math.ceil(from / 60_000) * 60_000; minute < to; minute += 60_000) {
    const load = dailyLoad(minute);
    for (const agent of Object.values(PROFILES)) {
      const random = rng(hashString(`${agent.name}-${minute}`));
      const expected = agent.runsPerMinute * load;
      const n = Math.floor(expected) + (random() < expected % 1 ? 1 : 0);
      for (let i = 0; i < n; i++) yield historyRun(agent, minute + Math.floor(random() * 60_000), i);
    }
  }
}

/** Sends the history to the server; resolves with the number of runs it accepted. */
export async function sendHistory(opts: { endpoint: string; apiKey: string; now: number; log: (line: string) => void }): Promise<number> {
  let batch: WireRun[] = [];
  let sent = 0;
  const post = async () => {
    const body = gzipSync(JSON.stringify({ runs: batch }));
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${opts.endpoint}/v1/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.apiKey}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body,
      });
      if (res.ok) break;
      const retryAfter = Number(res.headers.get('retry-after') ?? '1');
      if ((res.status !== 429 && res.status < 500) || attempt >= 5) throw new Error(`history upload failed: ${res.status} ${await res.text()}`);
      await new Promise((r) => setTimeout(r, Math.max(0.2, retryAfter) * 1000));
    }
    sent += batch.length;
    batch = [];
  };
  for (const run of historyRuns(opts.now - HISTORY_MS, opts.now - 60_000)) {
    batch.push(run);
    if (batch.length >= BATCH) await post();
  }
  if (batch.length > 0) await post();
  opts.log(`history: ${sent} runs over the last 24 hours`);
  return sent;
}
