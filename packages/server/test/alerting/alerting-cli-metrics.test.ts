// `vigil alerts test` against real receivers, and alerting's own series on GET /metrics: present at
// zero from the start, then counting.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { alertsCommand } from '../../src/alerting/alerting-cli.js';
import type { WebhookBody } from '../../src/alerting/notify/webhook.js';
import { alertingServer, KEY, runsFromLine, startReceiver, stepThrough, T0, type Receiver } from './helpers.js';

describe('vigil alerts test', () => {
  let dir: string;
  let hook: Receiver;
  let broken: Receiver;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    hook = await startReceiver();
    broken = await startReceiver();
    broken.behave(() => ({ status: 403 }));
  });
  afterEach(async () => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
    await hook.close();
    await broken.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a sample through every channel, reports each, and exits 1 when one fails', async () => {
    const file = join(dir, 'vigil.yaml');
    writeFileSync(file, `notifications:\n  - { type: webhook, url: "${hook.url}" }\n  - { type: slack, name: team, url: "${broken.url}" }\n`);
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    await alertsCommand(['test', '--config', file]);
    expect(lines[0]).toMatch(/^ok {6}webhook-0 \(webhook\): HTTP 200$/);
    expect(lines[1]).toMatch(/^FAILED {2}team \(slack\): HTTP 403/);
    expect(process.exitCode).toBe(1);
    expect((hook.received[0]!.body as WebhookBody)).toMatchObject({ version: '4', status: 'firing', alerts: [{ labels: { alertname: 'VigilTestNotification' } }] });
    // The Slack receiver got a Slack message, once: a 403 is not retried.
    expect(broken.received).toHaveLength(1);
    expect(broken.received[0]!.body).toMatchObject({ text: '[FIRING:1] VigilTestNotification — vigil-test' });
  });
});

describe('alerting self-metrics', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('are on GET /metrics at zero from the start and count notifications and firing alerts', async () => {
    const vigil = await alertingServer(`
alerting: { group_wait: 0s, anomaly: { enabled: false } }
notifications: [{ type: webhook, name: oncall, url: ${receiver.url} }]
`);
    try {
      const scrape = async () => (await vigil.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${KEY}` } })).body;
      const before = await scrape();
      for (const series of ['vigil_notifications_sent_total{channel="oncall"} 0', 'vigil_notifications_failed_total{channel="oncall"} 0',
        'vigil_notifications_dropped_total{channel="oncall"} 0', 'vigil_alert_evaluations_missed_total 0',
        'vigil_alerts_firing{alertname="SuccessRateDrop",severity="critical"} 0', 'vigil_alerts_firing{alertname="IterationLimitHit",severity="warning"} 0']) {
        expect(before).toContain(series);
      }
      await vigil.store.writeRuns(vigil.projectId, runsFromLine('bot', 'iter', T0));
      await stepThrough(vigil, [T0 + 60_000]);
      const after = await scrape();
      expect(after).toContain('vigil_notifications_sent_total{channel="oncall"} 1');
      // Which agent fires shows in the agent label; the rule's zero series (no agent) stays.
      expect(after).toContain('vigil_alerts_firing{alertname="IterationLimitHit",agent="bot",severity="warning"} 1');
      expect(after).toContain('vigil_alerts_firing{alertname="IterationLimitHit",severity="warning"} 0');
      expect(after).not.toMatch(/vigil_alerts_firing\{[^}]*agent=""/);
      expect(after).toContain('vigil_alert_evaluations_total 1');
    } finally {
      await vigil.close();
    }
  });
});
