// Each channel has its own bounded queue: a channel whose receiver hangs delays only itself, and a
// full queue drops its oldest message and counts it.
import { afterEach, describe, expect, it } from 'vitest';
import { createChannelQueue } from '../../../src/alerting/notify/channel-queue.js';
import { createNotifier } from '../../../src/alerting/notify/notifier.js';
import { startReceiver, type Receiver } from '../helpers.js';
import type { AlertView } from '../../../src/alerting/types.js';

const T0 = Date.UTC(2026, 10, 20);

const firing = (agent: string): AlertView => ({
  fingerprint: `fp-${agent}`, labels: { alertname: 'SuccessRateDrop', agent, severity: 'critical' }, state: 'firing', value: 0.5,
  annotations: { summary: `${agent} is failing`, runs_url: `http://vigil.test/runs?agent_name=${agent}` }, activeAt: T0, firedAt: T0,
  resolvedAt: null, lastSeenAt: T0, projectId: 1, silenced: false, silencedBy: [],
});

describe('channel queues', () => {
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('a dead Slack channel does not delay the webhook', async () => {
    const slack = await startReceiver();
    const hook = await startReceiver();
    receivers.push(slack, hook);
    slack.behave(() => 'hang');
    const memory = new Map<string, unknown>();
    const notifier = createNotifier({
      channels: [
        { name: 'slack', type: 'slack', url: slack.url, urls: [slack.url], project: 'default', resendDelayMs: 60_000, sendResolved: true, timeoutMs: 1_000, maxAlerts: 0, maxQueueSize: 10, headers: {} },
        { name: 'hook', type: 'webhook', url: hook.url, urls: [hook.url], project: 'default', resendDelayMs: 60_000, sendResolved: true, timeoutMs: 1_000, maxAlerts: 0, maxQueueSize: 10, headers: {} },
      ],
      timing: { groupWaitMs: 0, groupIntervalMs: 60_000, repeatIntervalMs: 4 * 3_600_000 },
      state: { get: async () => new Map(memory), put: async (_p, entries) => { for (const [k, v] of entries) if (v === undefined) memory.delete(k); else memory.set(k, v); } },
      externalUrl: 'http://vigil.test',
    });
    const started = Date.now();
    await notifier.handle({ projectId: 1, projectName: 'default', now: T0, alerts: [firing('a'), firing('b')] });
    // Both groups reach the webhook while Slack still hangs on its first message.
    while (hook.received.length < 2 && Date.now() - started < 3_000) await new Promise((r) => setTimeout(r, 10));
    expect(hook.received).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(slack.received).toHaveLength(1);
    expect(notifier.counters().hook).toEqual({ sent: 2, failed: 0, dropped: 0 });
    await notifier.close();
    // The queued second Slack message was dropped on close and counted; the hanging one failed.
    expect(notifier.counters().slack!.dropped).toBe(1);
  });

  it('drops the oldest message when full, counts it, and warns once per burst', async () => {
    const gate: (() => void)[] = [];
    const warnings: number[] = [];
    const outcomes: string[] = [];
    const queue = createChannelQueue({
      name: 'q', maxQueueSize: 2,
      send: () => new Promise((resolve) => gate.push(() => resolve({ kind: 'success', status: 200 }))),
      onDrop: (n) => warnings.push(n),
    });
    for (const id of ['m1', 'm2', 'm3', 'm4']) queue.push({ body: id, done: (r) => outcomes.push(`${id}:${r === 'dropped' ? 'dropped' : r.kind}`) });
    // m1 is in flight; m2 was dropped for m4; m3 and m4 wait.
    expect(outcomes).toEqual(['m2:dropped']);
    while (gate.length > 0 || queue.length > 0) {
      gate.shift()?.();
      await new Promise((r) => setTimeout(r, 1));
    }
    await queue.idle();
    expect(outcomes).toEqual(['m2:dropped', 'm1:success', 'm3:success', 'm4:success']);
    expect(queue.counters).toEqual({ sent: 3, failed: 0, dropped: 1 });
    expect(warnings).toEqual([1]);
  });
});
