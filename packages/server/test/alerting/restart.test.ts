// A restart mid-incident neither drops nor repeats a notification: alert state, group timers and
// the notification log live in the store, so a new process carries on where the old one stopped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookBody } from '../../src/alerting/notify/webhook.js';
import { alertingServer, KEY, MINUTE, spread, startReceiver, stepThrough, steps, T0, type Receiver } from './helpers.js';

const S = 15_000;
const T = T0 + 2 * 60 * MINUTE;

describe('restart mid-incident', () => {
  let dir: string;
  let receiver: Receiver;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-alerts-'));
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const yaml = (groupWait: string) => `
alerting: { group_wait: ${groupWait}, group_interval: 1m, anomaly: { enabled: false } }
notifications: [{ type: webhook, url: ${'${URL}'} }]
`;
  const statuses = () => (receiver.received.map((r) => r.body) as WebhookBody[]).map((b) => `${b.status}:${b.alerts.map((a) => a.labels.alertname).join(',')}`);

  it('does not notify a firing alert again after a restart, and still sends its resolution once', async () => {
    const db = join(dir, 'vigil.db');
    const config = yaml('0s').replace('${URL}', receiver.url);
    const first = await alertingServer(config, db);
    await first.store.writeRuns(first.projectId, spread('bot', 'error', 25, T - 10 * MINUTE, 10 * MINUTE));
    await stepThrough(first, [T, T + S]);
    expect(statuses()).toEqual(['firing:SuccessRateDrop']);
    const before = (await first.app.inject({ url: '/api/alerts?state=firing', headers: { authorization: `Bearer ${KEY}` } })).json().alerts;
    await first.close();

    const second = await alertingServer(config, db);
    try {
      await stepThrough(second, steps(T + 2 * S, T + 5 * MINUTE, S));
      expect(statuses()).toEqual(['firing:SuccessRateDrop']);
      const after = (await second.app.inject({ url: '/api/alerts?state=firing', headers: { authorization: `Bearer ${KEY}` } })).json().alerts;
      expect(after.map((a: { startsAt: string }) => a.startsAt)).toEqual(before.map((a: { startsAt: string }) => a.startsAt));
      // Recovery: the failed runs leave the 15m window.
      await stepThrough(second, steps(T + 5 * MINUTE + S, T + 20 * MINUTE, S));
      expect(statuses()).toEqual(['firing:SuccessRateDrop', 'resolved:SuccessRateDrop']);
    } finally {
      await second.close();
    }
  });

  it('sends a notification that was still waiting in group_wait when the process stopped', async () => {
    const db = join(dir, 'vigil.db');
    const config = yaml('1m').replace('${URL}', receiver.url);
    const first = await alertingServer(config, db);
    await first.store.writeRuns(first.projectId, spread('bot', 'error', 25, T - 10 * MINUTE, 10 * MINUTE));
    await stepThrough(first, [T, T + S]);
    expect(statuses()).toEqual([]);
    await first.close();

    const second = await alertingServer(config, db);
    try {
      await stepThrough(second, steps(T + 2 * S, T + 3 * MINUTE, S));
      expect(statuses()).toEqual(['firing:SuccessRateDrop']);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});
