// The notifier, stepped through time against a real receiver: grouping by alertname and agent,
// group_wait, group_interval, repeat_interval, resolved notifications, silenced alerts skipped,
// and the version-4 webhook body and Slack message they produce.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertState, AlertView } from '../../../src/alerting/types.js';
import { createNotifier, type ChannelConfig, type Notifier } from '../../../src/alerting/notify/notifier.js';
import { slackMessage } from '../../../src/alerting/notify/slack.js';
import type { WebhookBody } from '../../../src/alerting/notify/webhook.js';
import { startReceiver, type Receiver } from '../helpers.js';

const T0 = Date.UTC(2026, 10, 20);
const S = 15_000;
const MIN = 60_000;

function alert(agent: string, state: AlertState, extra: Partial<AlertView> = {}, alertname = 'SuccessRateDrop'): AlertView {
  return {
    fingerprint: `${alertname}-${agent}-${extra.labels?.tool ?? ''}`, labels: { alertname, agent, severity: 'critical', ...extra.labels }, state, value: 0.5,
    annotations: { summary: `${agent} fails`, description: 'd', why: '3 of 4 failed runs had create_ticket time out', value: '0.5', run_ids: 'r1, r2', runs_url: `http://vigil.test/runs?agent_name=${agent}` },
    activeAt: T0, firedAt: state === 'pending' ? null : T0, resolvedAt: state === 'resolved' ? T0 + 10 * MIN : null, lastSeenAt: T0,
    projectId: 1, silenced: false, silencedBy: [], ...extra,
    labels: { alertname, agent, severity: 'critical', ...extra.labels },
  };
}

describe('notifier', () => {
  let receiver: Receiver;
  let notifier: Notifier;
  const memory = new Map<string, unknown>();

  const make = (channel: Partial<ChannelConfig> = {}, timing = { groupWaitMs: 30_000, groupIntervalMs: 5 * MIN, repeatIntervalMs: 4 * 3_600_000 }) => createNotifier({
    channels: [{
      name: 'hook', type: 'webhook', url: receiver.url, urls: [channel.url ?? receiver.url], project: 'default', resendDelayMs: 60_000,
      sendResolved: true, timeoutMs: 2_000, maxAlerts: 0, maxQueueSize: 10, headers: {}, ...channel,
    }],
    timing,
    state: {
      get: async (_p, prefix) => new Map([...memory].filter(([k]) => k.startsWith(prefix))),
      put: async (_p, entries) => { for (const [k, v] of entries) if (v === undefined) memory.delete(k); else memory.set(k, v); },
    },
    externalUrl: 'http://vigil.test',
  });

  /** Hands the notifier the same alerts at each time and returns the bodies received. */
  async function at(times: number[], alerts: AlertView[] | ((t: number) => AlertView[])): Promise<WebhookBody[]> {
    for (const t of times) {
      await notifier.handle({ projectId: 1, projectName: 'default', now: t, alerts: typeof alerts === 'function' ? alerts(t) : alerts });
      await notifier.idle();
    }
    return receiver.received.map((r) => r.body as WebhookBody);
  }

  beforeEach(async () => {
    memory.clear();
    receiver = await startReceiver();
    notifier = make();
  });
  afterEach(async () => {
    await notifier.close();
    await receiver.close();
  });

  it('waits group_wait before the first notification, then sends one body per group', async () => {
    const alerts = [alert('a', 'firing'), alert('a', 'firing', { labels: { tool: 'x' }, fingerprint: 'other' }), alert('b', 'firing')];
    expect(await at([T0, T0 + S], alerts)).toEqual([]);
    const bodies = await at([T0 + 2 * S], alerts);
    expect(bodies).toHaveLength(2);
    const a = bodies.find((b) => b.groupLabels.agent === 'a')!;
    expect(a.alerts).toHaveLength(2);
    expect(a).toMatchObject({
      version: '4', status: 'firing', receiver: 'hook', groupKey: '{}:{agent="a", alertname="SuccessRateDrop"}', truncatedAlerts: 0,
      groupLabels: { agent: 'a', alertname: 'SuccessRateDrop' }, commonLabels: { alertname: 'SuccessRateDrop', agent: 'a', severity: 'critical' },
      externalURL: 'http://vigil.test',
    });
    expect(a.alerts[0]).toMatchObject({
      status: 'firing', startsAt: new Date(T0).toISOString(), endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://vigil.test/runs?agent_name=a', fingerprint: 'SuccessRateDrop-a-',
    });
    expect(Object.keys(a).sort()).toEqual(['alerts', 'commonAnnotations', 'commonLabels', 'externalURL', 'groupKey', 'groupLabels', 'receiver', 'status', 'truncatedAlerts', 'version']);
  });

  it('pages a fleet incident once and never the agent alerts it explains', async () => {
    const fleet = alert('', 'firing', { fingerprint: 'fleet', labels: { metric: 'p95_latency_ms', direction: 'up' }, annotations: { summary: 'p95 latency 2.1x normal on 2 of 3 agents', agents: 'a, b' } }, 'FleetAnomaly');
    const explained = ['a', 'b'].map((agent) => alert(agent, 'firing', { fingerprint: `anomaly-${agent}`, annotations: { summary: `${agent} slow`, explained_by: 'fleet-key' } }, 'AnomalyDetected'));
    const bodies = await at([T0, T0 + 2 * S, T0 + 10 * MIN], [fleet, ...explained]);
    expect(bodies.map((b) => b.alerts.map((a) => a.labels.alertname))).toEqual([['FleetAnomaly']]);
  });

  it('does not repeat an unchanged group before repeat_interval, and repeats once after it', async () => {
    const alerts = [alert('a', 'firing')];
    const times: number[] = [];
    for (let t = T0; t <= T0 + 4 * 3_600_000 + 6 * MIN; t += MIN) times.push(t);
    const bodies = await at(times, alerts);
    expect(bodies).toHaveLength(2);
    expect(receiver.received[1]!.at).toBeGreaterThanOrEqual(receiver.received[0]!.at);
  });

  it('adds a new alert of the group at the next group_interval, not before', async () => {
    const one = [alert('a', 'firing')];
    const two = [...one, alert('a', 'firing', { labels: { tool: 'y' }, fingerprint: 'second' })];
    await at([T0, T0 + 30_000], one);
    expect(await at([T0 + 60_000, T0 + 4 * MIN], two)).toHaveLength(1);
    const bodies = await at([T0 + 30_000 + 5 * MIN], two);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]!.alerts).toHaveLength(2);
  });

  it('sends resolved once, and nothing about a group that fired and resolved unseen', async () => {
    await at([T0, T0 + 30_000], [alert('a', 'firing')]);
    const resolved = [alert('a', 'resolved')];
    const bodies = await at([T0 + 6 * MIN, T0 + 12 * MIN, T0 + 18 * MIN], resolved);
    expect(bodies.map((b) => b.status)).toEqual(['firing', 'resolved']);
    expect(bodies[1]!.alerts[0]!.endsAt).toBe(new Date(T0 + 10 * MIN).toISOString());
    // b fired and resolved within group_wait: the receiver never knew, so it hears nothing.
    await at([T0, T0 + 10_000], [alert('b', 'firing')]);
    expect(await at([T0 + 40_000], [alert('b', 'resolved')])).toHaveLength(2);
  });

  it('without send_resolved, says nothing when the group resolves', async () => {
    await notifier.close();
    notifier = make({ sendResolved: false });
    await at([T0, T0 + 30_000], [alert('a', 'firing')]);
    expect(await at([T0 + 6 * MIN, T0 + 12 * MIN], [alert('a', 'resolved')])).toHaveLength(1);
  });

  it('skips silenced alerts and pending ones', async () => {
    const bodies = await at([T0, T0 + 30_000, T0 + 6 * MIN], [alert('a', 'firing', { silenced: true, silencedBy: ['s1'] }), alert('b', 'pending')]);
    expect(bodies).toEqual([]);
  });

  it('truncates at max_alerts and counts the rest', async () => {
    await notifier.close();
    notifier = make({ maxAlerts: 1 });
    const bodies = await at([T0, T0 + 30_000], [alert('a', 'firing'), alert('a', 'firing', { labels: { tool: 'z' }, fingerprint: 'z' })]);
    expect(bodies[0]).toMatchObject({ truncatedAlerts: 1 });
    expect(bodies[0]!.alerts).toHaveLength(1);
  });

  it('formats a Slack message with the evidence and a link to the run list', () => {
    const msg = slackMessage({
      receiver: 'slack', groupKey: 'k', groupLabels: { alertname: 'SuccessRateDrop', agent: 'a' }, status: 'firing',
      alerts: [alert('a', 'firing')], externalUrl: 'http://vigil.test',
    });
    expect(msg.text).toBe('[FIRING:1] SuccessRateDrop — a');
    const text = JSON.stringify(msg.blocks);
    expect(text).toContain('3 of 4 failed runs had create_ticket time out');
    expect(text).toContain('<http://vigil.test/runs?agent_name=a|Open the run list>');
    expect(text).toContain('r1, r2');
  });
});
