// The alertmanager channel's schedule against local receivers standing in for Alertmanager's API:
// what it posts where, when a firing alert is sent again (resend_delay), that a resolve goes out
// at once with its endsAt, and that one dead Alertmanager of a pair never holds up the other.
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertState, AlertView } from '../../../src/alerting/types.js';
import type { PostableAlert } from '../../../src/alerting/notify/alertmanager.js';
import { createNotifier, type ChannelConfig, type Notifier } from '../../../src/alerting/notify/notifier.js';
import { startReceiver, type Receiver } from '../helpers.js';

const T0 = Date.UTC(2026, 10, 20);
const S = 15_000;
const MIN = 60_000;

function alert(agent: string, state: AlertState, resolvedAt: number | null = null): AlertView {
  return {
    fingerprint: `fp-${agent}`, labels: { alertname: 'SuccessRateDrop', agent, severity: 'critical' }, state, value: 0.5,
    annotations: { summary: `${agent} fails`, why: '' }, activeAt: T0, firedAt: state === 'pending' ? null : T0 + S, resolvedAt, lastSeenAt: T0,
    projectId: 1, silenced: false, silencedBy: [],
  };
}

describe('alertmanager channel', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  async function setup(urls: string[], channel: Partial<ChannelConfig> = {}): Promise<Notifier> {
    const notifier = createNotifier({
      channels: [{
        name: 'am', type: 'alertmanager', url: urls[0]!, urls, project: 'default', resendDelayMs: MIN,
        sendResolved: true, timeoutMs: 1_000, maxAlerts: 0, maxQueueSize: 10, headers: {}, ...channel,
      }],
      timing: { evaluationIntervalMs: S, groupWaitMs: 30_000, groupIntervalMs: 5 * MIN, repeatIntervalMs: 4 * 3_600_000 },
      state: { get: async () => new Map(), put: async () => {} },
      externalUrl: 'http://vigil.test',
      retry: { initialBackoffMs: 10, maxBackoffMs: 20, deadlineMs: 300 },
    });
    open.push(notifier);
    return notifier;
  }
  async function receiver(): Promise<Receiver> {
    const r = await startReceiver();
    open.push(r);
    return r;
  }
  const base = (r: Receiver) => r.url.replace(/\/hook$/, '');

  it('posts firing alerts to /api/v2/alerts at once, skipping Vigil groups, and again only after resend_delay', async () => {
    const am = await receiver();
    const notifier = await setup([`${base(am)}/prefix/`]);
    const step = async (t: number, alerts: AlertView[]) => {
      await notifier.handle({ projectId: 1, projectName: 'default', now: t, alerts });
      await notifier.idle();
    };
    await step(T0 + S, [alert('a', 'firing'), alert('p', 'pending')]);
    expect(am.received.map((r) => r.path)).toEqual(['/prefix/api/v2/alerts']);
    const [sent] = am.received[0]!.body as PostableAlert[];
    expect(sent).toEqual({
      labels: { project: 'default', alertname: 'SuccessRateDrop', agent: 'a', severity: 'critical' },
      annotations: { summary: 'a fails' },
      startsAt: new Date(T0 + S).toISOString(),
      // 4 × max(resend_delay 1m, evaluation_interval 15s) ahead.
      endsAt: new Date(T0 + S + 4 * MIN).toISOString(),
      generatorURL: 'http://vigil.test/alerts#alert-fp-a',
    });
    // Every evaluation up to a minute later sends nothing; the one at a minute re-sends.
    for (let t = T0 + 2 * S; t < T0 + S + MIN; t += S) await step(t, [alert('a', 'firing')]);
    expect(am.received).toHaveLength(1);
    await step(T0 + S + MIN, [alert('a', 'firing')]);
    expect(am.received).toHaveLength(2);
    // A resolve goes at once, with its time as endsAt, and is re-sent while Vigil keeps it.
    const resolvedAt = T0 + S + MIN + S;
    await step(resolvedAt, [alert('a', 'resolved', resolvedAt)]);
    expect((am.received[2]!.body as PostableAlert[])[0]!.endsAt).toBe(new Date(resolvedAt).toISOString());
    await step(resolvedAt + MIN, [alert('a', 'resolved', resolvedAt)]);
    expect(am.received).toHaveLength(4);
  });

  it('gives each Alertmanager of a pair every alert, and a dead one never delays the other', async () => {
    const live = await receiver();
    const dead = await receiver();
    dead.behave(() => 'hang');
    const notifier = await setup([base(dead), base(live)], { timeoutMs: 2_000 });
    const started = Date.now();
    await notifier.handle({ projectId: 1, projectName: 'default', now: T0 + S, alerts: [alert('a', 'firing'), alert('b', 'firing')] });
    // The live one has it while the dead one's request still hangs.
    while (live.received.length === 0 && Date.now() - started < 1_500) await new Promise((r) => setTimeout(r, 10));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect((live.received[0]!.body as PostableAlert[]).map((a) => a.labels.agent)).toEqual(['a', 'b']);
    expect(dead.received).toHaveLength(1);
  });

  it("does not carry another project's alerts", async () => {
    const am = await receiver();
    const notifier = await setup([base(am)], { project: 'payments' });
    await notifier.handle({ projectId: 2, projectName: 'search', now: T0 + S, alerts: [alert('a', 'firing')] });
    await notifier.handle({ projectId: 3, projectName: 'payments', now: T0 + S, alerts: [alert('b', 'firing')] });
    await notifier.idle();
    expect(am.received.map((r) => (r.body as PostableAlert[]).map((a) => `${a.labels.project}/${a.labels.agent}`))).toEqual([['payments/b']]);
  });
});
