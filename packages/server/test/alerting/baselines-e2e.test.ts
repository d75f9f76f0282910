// Baselines are the span the config names, to the minute, and fresh when an agent's history
// arrives: a server that started (and evaluated) before the history came must still fire the
// baseline rules within seconds, through the HTTP API as a user sends runs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '@vigil/protocol';
import { createVigilServer, type VigilServer } from '../../src/app/server.js';
import { alertingFromYaml, KEY, MINUTE, run, T0 } from './helpers.js';

const CONFIG = `
alerting:
  evaluation_interval: 1s
  anomaly: { enabled: false }
  rules:
    LatencyP95Spike: { window: 2m, baseline: 2h, ratio: 1.5, min_runs: 20, for: 0s }
    TokenBudgetOverrun: { ratio: 10, baseline: 2h, min_baseline_runs: 20, for: 0s }
`;

/** A stored-shape run as a client sends it: no received_at (the server stamps it), no null fields. */
function wire(r: RunRecord): Record<string, unknown> {
  const { received_at: _received, ...rest } = r;
  const drop = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
  return { ...drop(rest), tool_calls: r.tool_calls.map((c) => drop({ ...c })) };
}

/** A deterministic spread in [lo, hi]. */
const between = (lo: number, hi: number, i: number, n: number) => Math.round(lo + ((hi - lo) * ((i * 7) % n)) / (n - 1));

describe('baseline rules with history that arrives after the server started', () => {
  let clock: number;
  let vigil: VigilServer;
  // Late in an hour: an hour-aligned baseline would end 58 minutes before the window.
  const START = T0 + 30 * 60 * MINUTE + 58 * MINUTE;

  beforeEach(async () => {
    clock = START;
    vigil = await createVigilServer({
      db: ':memory:', config: alertingFromYaml(CONFIG).vigil, apiKeys: [KEY], logger: false, now: () => clock, alerting: { start: false },
    });
  });
  afterEach(async () => {
    await vigil.close();
  });

  const post = async (runs: RunRecord[]) => {
    const res = await vigil.app.inject({ method: 'POST', url: '/v1/runs', headers: { authorization: `Bearer ${KEY}` }, payload: { runs: runs.map(wire) } });
    expect(res.statusCode, res.body).toBeLessThan(300);
  };
  const firing = async (): Promise<{ alertname: string; annotations: Record<string, string> }[]> => {
    const res = await vigil.app.inject({ url: '/api/alerts?state=firing', headers: { authorization: `Bearer ${KEY}` } });
    return (res.json() as { alerts: { alertname: string; annotations: Record<string, string> }[] }).alerts;
  };
  /** Evaluates every second for `seconds`, as the server's 1 s schedule would; returns when each rule first fired. */
  const evaluateFor = async (seconds: number): Promise<Map<string, number>> => {
    const first = new Map<string, number>();
    for (let i = 0; i < seconds; i++) {
      clock += 1_000;
      await vigil.alerting.evaluator.evaluateOnce(clock);
      for (const a of await firing()) if (!first.has(a.alertname)) first.set(a.alertname, i + 1);
    }
    return first;
  };

  it('LatencyP95Spike and TokenBudgetOverrun both fire within 30 s of the incident, over a baseline of the full 2 h', async () => {
    // The server runs (and evaluates) with no history yet.
    expect(await evaluateFor(3)).toEqual(new Map());

    // 2 h of healthy history: 60 runs, one every 90 s, up to 12 minutes ago.
    const history = Array.from({ length: 60 }, (_, i) => {
      const at = clock - 12 * MINUTE - (59 - i) * 90_000;
      return run('history-bot', at, { duration_ms: between(800, 1_200, i, 60), tokens_used: between(900, 1_100, i, 60) });
    });
    await post(history);
    // The incident: one run of 15,000 tokens, then 30 runs at 4–5 s.
    await post([run('history-bot', clock - 100_000, { tokens_used: 15_000 })]);
    await post(Array.from({ length: 30 }, (_, i) => run('history-bot', clock - 90_000 + i * 2_000, { duration_ms: between(4_000, 5_000, i, 30) })));

    const first = await evaluateFor(30);
    expect(first.get('LatencyP95Spike'), 'LatencyP95Spike fired').toBeDefined();
    expect(first.get('TokenBudgetOverrun'), 'TokenBudgetOverrun fired').toBeDefined();

    const alerts = await firing();
    const latency = alerts.find((a) => a.alertname === 'LatencyP95Spike')!;
    // Every one of the 60 history runs lies in the 2 h before the 2-minute window.
    expect(latency.annotations.baseline).toMatch(/^p95 1\.2 s over 60 runs$/);
    const tokens = alerts.find((a) => a.alertname === 'TokenBudgetOverrun')!;
    // The 15-minute window holds the newest history runs; the 2 h before it holds the rest.
    expect(tokens.annotations.baseline).toMatch(/^(99\d|10[01]\d) tokens \(median of 5\d runs over the preceding 2h\)$/);
  });

  it('a baseline follows history that changes: re-sent runs move out of it and the rule goes quiet', async () => {
    const history = Array.from({ length: 60 }, (_, i) =>
      run('history-bot', clock - 12 * MINUTE - (59 - i) * 90_000, { run_id: `h-${i}`, duration_ms: between(800, 1_200, i, 60) }));
    await post(history);
    await post(Array.from({ length: 30 }, (_, i) => run('history-bot', clock - 90_000 + i * 2_000, { duration_ms: 4_500 })));
    expect((await evaluateFor(2)).get('LatencyP95Spike')).toBeDefined();

    // The same history re-sent as slow as the incident: there is no spike against it any more.
    await post(history.map((r) => ({ ...r, duration_ms: 4_500 })));
    await evaluateFor(2);
    expect((await firing()).map((a) => a.alertname)).not.toContain('LatencyP95Spike');
  });
});
