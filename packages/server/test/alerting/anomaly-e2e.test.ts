// Anomaly detection end to end, with no rule written: two quiet hours of an agent go in through
// POST /v1/runs, then its runs start using 2.5× their usual tokens (far below TokenBudgetOverrun's
// 10×). The detector, fed from the per-minute rollups, flags it, and a real webhook receiver gets
// an AnomalyDetected notification (Alertmanager v4) that explains itself.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VigilServer } from '../../src/app/server.js';
import type { WebhookBody } from '../../src/alerting/notify/webhook.js';
import { alertingServer, KEY, MINUTE, startReceiver, stepThrough, steps, type Receiver } from './helpers.js';

function payload(at: number, i: number, tokens: number) {
  return {
    run_id: `anomaly-${at}-${i}`, agent_name: 'support_bot', completion_status: 'success', timestamp: at,
    duration_ms: 1_000 + ((i * 37) % 200), iterations: 3, tokens: { input: Math.round(tokens * 0.7), output: Math.round(tokens * 0.3) },
    model: 'gpt-4o-mini', tool_calls: [{ name: 'search_kb', status: 'success', duration_ms: 100 }],
  };
}

describe('AnomalyDetected end to end', () => {
  let receiver: Receiver;
  let vigil: VigilServer & { projectId: number };
  const start = async (anomaly = '{}') => {
    vigil = await alertingServer(`
alerting: { evaluation_interval: 1m, group_wait: 0s, group_interval: 1m, anomaly: ${anomaly} }
notifications: [{ type: webhook, url: ${receiver.url} }]
`);
  };
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await vigil.close();
    await receiver.close();
  });

  /** Two quiet hours and 12 minutes of 2.5× tokens through POST /v1/runs, evaluated every minute alongside. */
  async function incident(): Promise<(WebhookBody['alerts'][number] & { version: string })[]> {
    const now = Math.floor(Date.now() / MINUTE) * MINUTE;
    const runs: object[] = [];
    for (let m = 180; m > 0; m--) {
      const minute = now - m * MINUTE;
      const incident = m <= 12;
      for (let i = 0; i < 6; i++) runs.push(payload(minute + i * 10_000, i, (incident ? 2_500 : 1_000) + ((i * 53 + m * 31) % 120) - 60));
    }
    for (let i = 0; i < runs.length; i += 500) {
      const res = await vigil.app.inject({ method: 'POST', url: '/v1/runs', headers: { authorization: `Bearer ${KEY}` }, payload: { runs: runs.slice(i, i + 500) } });
      expect(res.statusCode).toBeLessThan(300);
    }

    // The server runs alongside the traffic, one evaluation a minute, from ten minutes into it.
    await stepThrough(vigil, steps(now - 170 * MINUTE, now + 15_000, MINUTE));
    return (receiver.received.map((r) => r.body) as WebhookBody[]).flatMap((b) => b.alerts.map((a) => ({ ...a, version: b.version })));
  }

  it('notifies a token surge nobody wrote a rule for, with the explanation', async () => {
    await start();
    const alerts = await incident();
    const anomaly = alerts.find((a) => a.labels.alertname === 'AnomalyDetected' && a.labels.metric === 'tokens_per_run');
    expect(anomaly, JSON.stringify(alerts.map((a) => a.labels))).toBeDefined();
    expect(anomaly!.version).toBe('4');
    expect(anomaly!.status).toBe('firing');
    expect(anomaly!.labels).toEqual({ alertname: 'AnomalyDetected', agent: 'support_bot', metric: 'tokens_per_run', direction: 'up', severity: 'warning' });
    // The wording is the detector core's own (explainAnomaly), the same in every alert.
    expect(anomaly!.annotations.why).toMatch(/^tokens per run [\d,.]+ tokens( over the last \d+ points)?, 2\.\dx its usual (99\d|1,0\d\d) tokens/);
    expect(anomaly!.annotations.metrics?.split(',')).toContain('tokens_per_run');
    expect(anomaly!.annotations.summary).toContain('support_bot');
    expect(anomaly!.annotations.runs_url).toContain('agent_name=support_bot');
    // No threshold rule sees this: 2.5× is far below TokenBudgetOverrun's 10×.
    expect(alerts.filter((a) => a.labels.alertname !== 'AnomalyDetected')).toEqual([]);
  });

  it('stays quiet about a metric the agent opted out of', async () => {
    await start('{ agents: { support_bot: { exclude_metrics: [tokens_per_run] } } }');
    const alerts = await incident();
    expect(alerts.filter((a) => a.labels.metric === 'tokens_per_run')).toEqual([]);
  });
});
