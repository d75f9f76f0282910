// A healthy fleet is quiet: 20 agents with ordinary noise (latency ±30%, tokens ±20%, an isolated
// failed run or tool timeout now and then, traffic from 2 to 6 runs a minute) over 6 simulated
// hours, every rule on (anomaly detection included), evaluated every 30 s: zero notifications.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '@vigil/protocol';
import type { VigilServer } from '../../src/app/server.js';
import { alertingServer, HOUR, MINUTE, run, startReceiver, T0, type Receiver } from './helpers.js';
import { seededRandom } from '../../../../bench/lib/seeded-random.js';

const HOURS = 6;
const AGENTS = 20;

function fleet(start: number): RunRecord[] {
  const random = seededRandom(42);
  const runs: RunRecord[] = [];
  for (let a = 0; a < AGENTS; a++) {
    const agent = `agent_${String(a).padStart(2, '0')}`;
    const perMinute = 2 + (a % 5);
    const latency = 800 + 150 * a;
    const tokens = 900 + 100 * a;
    let lastFailure = -Infinity;
    let lastTimeout = -Infinity;
    for (let m = 0; m < HOURS * 60; m++) {
      const n = perMinute + (random() < 0.5 ? -1 : 1) * Math.floor(random() * 2);
      for (let i = 0; i < n; i++) {
        const at = start + m * MINUTE + Math.floor((i + random()) * (MINUTE / n));
        // An isolated failure at most every 20 minutes, an isolated tool timeout at most every 15.
        const fails = random() < 0.01 && at - lastFailure > 20 * MINUTE;
        if (fails) lastFailure = at;
        const timesOut = !fails && random() < 0.01 && at - lastTimeout > 15 * MINUTE;
        if (timesOut) lastTimeout = at;
        const duration = Math.round(latency * (0.7 + 0.6 * random()));
        const used = Math.round(tokens * (0.8 + 0.4 * random()));
        runs.push(run(agent, at, {
          duration_ms: duration, ended_at: at + duration, tokens_used: used, iterations: 2 + Math.floor(random() * 3),
          completion_status: fails ? 'error' : 'success', error: fails ? { type: 'APIError' } : null,
          tool_calls: [
            { name: 'search_kb', status: 'success', duration_ms: 100, started_at: at + 5, call_id: null, args_hash: `q-${at}-${i}`, error: null, arguments: null },
            { name: 'create_ticket', status: timesOut ? 'timeout' : 'success', duration_ms: timesOut ? 5_000 : 200, started_at: at + 200, call_id: null, args_hash: `t-${at}-${i}`, error: null, arguments: null },
          ],
        }));
      }
    }
  }
  return runs;
}

describe('a healthy fleet', () => {
  let receiver: Receiver;
  let vigil: VigilServer & { projectId: number };
  beforeAll(async () => {
    receiver = await startReceiver();
    vigil = await alertingServer(`
alerting: { evaluation_interval: 30s, group_wait: 30s, group_interval: 5m }
notifications: [{ type: webhook, url: ${receiver.url} }]
`);
  });
  afterAll(async () => {
    await vigil.close();
    await receiver.close();
  });

  it('of 20 agents over 6 simulated hours sends zero notifications', async () => {
    const runs = fleet(T0);
    for (let i = 0; i < runs.length; i += 2_000) await vigil.store.writeRuns(vigil.projectId, runs.slice(i, i + 2_000));
    const transitions: string[] = [];
    for (let t = T0; t <= T0 + HOURS * HOUR; t += 30_000) {
      const report = await vigil.alerting.evaluator.evaluateOnce(t);
      for (const tr of report?.transitions ?? []) transitions.push(`${new Date(tr.at).toISOString()} ${tr.state} ${JSON.stringify(tr.labels)} ${tr.annotations.summary ?? ''}`);
    }
    await vigil.alerting.notifier.idle();
    expect(transitions).toEqual([]);
    expect(receiver.received).toEqual([]);
    expect(vigil.alerting.evaluator.stats.cycles).toBe(HOURS * 120 + 1);
    // The detectors really watched every agent's every metric (their state is stored).
    const series = await vigil.store.getAlertingValues(vigil.projectId, 'anomaly/series/');
    expect(series.size).toBe(AGENTS * 7);
  }, 240_000);
});
