// The alertmanager channel against two real Alertmanagers (an HA pair, not clustered, so each
// shows on its own that it got every alert), whose webhook receivers post to a local receiver:
// Alertmanager groups Vigil's alerts, a silence made in Alertmanager keeps one from the receiver,
// and Vigil's resolve (endsAt) makes Alertmanager send the resolved notification.
// Alertmanager runs on the wall clock, so the evaluator is stepped through the last minutes
// before now (never ahead of it): a firing alert's endsAt is then still in Alertmanager's future.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookBody } from '../../../src/alerting/notify/webhook.js';
import { ALERTMANAGER_BIN, startAlertmanager, type AlertmanagerProcess } from '../../helpers/alertmanager-process.js';
import { requireBinary, waitFor } from '../../helpers/external-binary.js';
import { alertingServer, MINUTE, runsFromLine, startReceiver, stepThrough, type Receiver } from '../helpers.js';

const hasAlertmanager = requireBinary(ALERTMANAGER_BIN, 'prometheus-alertmanager', 'the Alertmanager channel end-to-end test');

describe.skipIf(!hasAlertmanager)('alertmanager channel against a real Alertmanager', () => {
  let hook: Receiver;
  let am1: AlertmanagerProcess;
  let am2: AlertmanagerProcess;
  let vigil: Awaited<ReturnType<typeof alertingServer>>;
  // Evaluation steps at base, base + 1m and base + 3m: the last at most a minute before now.
  const base = Math.floor(Date.now() / MINUTE) * MINUTE - 4 * MINUTE;

  beforeAll(async () => {
    hook = await startReceiver();
    [am1, am2] = await Promise.all([
      startAlertmanager({ webhookUrl: `${hook.url}/am1`, groupBy: ['alertname'] }),
      startAlertmanager({ webhookUrl: `${hook.url}/am2`, groupBy: ['alertname'] }),
    ]);
    vigil = await alertingServer(`
alerting:
  external_url: http://vigil.example:4318
  anomaly: { enabled: false }
  rules: { IterationLimitHit: { window: 2m } }
notifications:
  # endsAt of a firing alert: 4 × 2m ahead of its step, well after now.
  - { type: alertmanager, name: am, urls: ["${am1.url}", "${am2.url}"], resend_delay: 2m }
`);
  }, 30_000);
  afterAll(async () => {
    await vigil?.close();
    await Promise.all([am1?.stop(), am2?.stop()]);
    await hook?.close();
  });

  /** The webhook bodies one Alertmanager sent so far. */
  const from = (am: 'am1' | 'am2') => hook.received.filter((r) => r.path.endsWith(`/${am}`)).map((r) => r.body as WebhookBody);
  const agentsIn = (b: WebhookBody) => b.alerts.map((a) => a.labels.agent).sort();

  it('groups, honours a silence made in Alertmanager, and resolves; each Alertmanager of the pair gets every alert', async () => {
    // Two agents hit the iteration limit: one group (group_by alertname) of two alerts, in each Alertmanager.
    await vigil.store.writeRuns(vigil.projectId, [...runsFromLine('alpha_bot', 'iter', base - 30_000), ...runsFromLine('beta_bot', 'iter', base - 30_000)]);
    await stepThrough(vigil, [base]);
    for (const am of ['am1', 'am2'] as const) {
      // Alerts that started more than group_wait ago flush their group at once, so the first
      // notification may hold only the first alert; the group then holds both.
      const first = await waitFor(`${am}'s notification of both`, async () => from(am).find((b) => agentsIn(b).length === 2));
      expect(first).toMatchObject({ status: 'firing', groupLabels: { alertname: 'IterationLimitHit' } });
      expect(agentsIn(first)).toEqual(['alpha_bot', 'beta_bot']);
      expect(from(am).every((b) => b.groupLabels.alertname === 'IterationLimitHit')).toBe(true);
      expect(first.alerts[0]).toMatchObject({
        labels: { alertname: 'IterationLimitHit', project: 'default', severity: 'warning' },
        generatorURL: expect.stringMatching(/^http:\/\/vigil\.example:4318\/alerts#alert-/),
      });
      expect(Date.parse(first.alerts[0]!.startsAt)).toBe(base);
      expect(first.alerts[0]!.annotations.summary).toMatch(/iteration/i);
    }

    // A silence in Alertmanager for gamma_bot; gamma_bot and delta_bot start failing a minute later.
    const silenceId = await am1.silence({ agent: 'gamma_bot' }, 'gamma is being fixed');
    await vigil.store.writeRuns(vigil.projectId, [...runsFromLine('gamma_bot', 'iter', base + 30_000), ...runsFromLine('delta_bot', 'iter', base + 30_000)]);
    await stepThrough(vigil, [base + MINUTE]);
    const update = await waitFor("am1's notification with delta_bot", async () => from('am1').find((b) => agentsIn(b).includes('delta_bot')));
    expect(agentsIn(update)).not.toContain('gamma_bot');
    // Alertmanager did get gamma_bot's alert: it holds it as silenced by that silence.
    const held = await am1.alerts();
    expect(held.find((a) => a.labels.agent === 'gamma_bot')?.status).toMatchObject({ state: 'suppressed', silencedBy: [silenceId] });
    // The other Alertmanager has no such silence, and notified gamma_bot.
    await waitFor("am2's notification with gamma_bot", async () => from('am2').find((b) => agentsIn(b).includes('gamma_bot')));

    // No iteration-limit run in the two minutes before the next step: every alert resolves, and Vigil sends endsAt.
    await stepThrough(vigil, [base + 3 * MINUTE]);
    const resolved = await waitFor("am1's resolved notification", async () => from('am1').find((b) => b.status === 'resolved'));
    expect(agentsIn(resolved)).toEqual(['alpha_bot', 'beta_bot', 'delta_bot']);
    for (const a of resolved.alerts) {
      expect(a.status).toBe('resolved');
      expect(Date.parse(a.endsAt)).toBe(base + 3 * MINUTE);
    }
    expect(vigil.alerting.notifier.counters().am).toMatchObject({ failed: 0, dropped: 0 });
  }, 60_000);
});
