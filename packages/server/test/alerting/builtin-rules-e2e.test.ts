// Each built-in rule end to end: runs go into a real SQLite store, the evaluator is stepped every
// 15 s of simulated time, and notifications reach a real HTTP receiver. A scenario that makes the
// rule true fires within two evaluations, with the right labels and evidence, resolves after
// recovery, and each of the two is notified exactly once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '@vigil/protocol';
import type { WebhookBody } from '../../src/alerting/notify/webhook.js';
import { alertingServer, MINUTE, runsFromLine, spread, startReceiver, stepThrough, steps, T0, type Receiver } from './helpers.js';

const S = 15_000;
const T = T0 + 30 * 60 * MINUTE; // the incident's end; 30 h of room for history before it

interface Scenario {
  alertname: string;
  labels: Record<string, string>;
  /** 24h of healthy history (for baselines) before the incident. */
  history?: boolean;
  incident: () => RunRecord[];
  evidence: (annotations: Record<string, string>) => void;
  /** Rules the same incident rightly fires too. */
  alsoFires?: string[];
}

const scenarios: Scenario[] = [
  {
    alertname: 'SuccessRateDrop',
    labels: { agent: 'bot', severity: 'critical' },
    // Fifteen create_ticket timeouts in a row are also a chain.
    alsoFires: ['ToolTimeoutChain'],
    incident: () => [...spread('bot', 'ok', 10, T - 10 * MINUTE, 10 * MINUTE), ...spread('bot', 'timeout', 15, T - 10 * MINUTE + 1, 10 * MINUTE)],
    evidence: (a) => {
      expect(a.why).toContain('15 of 15 failed runs had create_ticket time out');
      expect(a.value).toBe('0.4');
      expect(a.run_ids?.split(', ').length).toBeGreaterThanOrEqual(10);
    },
  },
  {
    alertname: 'IterationLimitHit',
    labels: { agent: 'bot', severity: 'warning' },
    incident: () => runsFromLine('bot', 'ok iter ok', T - 3 * MINUTE),
    evidence: (a) => expect(a.run_ids).toMatch(/^bot-\d+$/),
  },
  {
    alertname: 'ToolTimeoutChain',
    labels: { agent: 'bot', tool: 'create_ticket', severity: 'warning' },
    // Once recovery traffic passes min_runs, 3 failures in ~24 runs is a success rate under 95%.
    alsoFires: ['SuccessRateDrop'],
    incident: () => runsFromLine('bot', 'ok timeout timeout timeout', T - 4 * MINUTE),
    evidence: (a) => {
      expect(a.value).toBe('3');
      expect(a.run_ids?.split(', ')).toHaveLength(3);
    },
  },
  {
    alertname: 'TokenBudgetOverrun',
    labels: { agent: 'bot', severity: 'warning' },
    history: true,
    incident: () => runsFromLine('bot', 'ok big ok', T - 3 * MINUTE),
    evidence: (a) => {
      expect(Number(a.value)).toBeCloseTo(20, 0);
      expect(a.baseline).toMatch(/median of \d+ runs over the preceding 1d/);
    },
  },
  {
    alertname: 'LatencyP95Spike',
    labels: { agent: 'bot', severity: 'warning' },
    history: true,
    incident: () => spread('bot', 'slow', 25, T - 10 * MINUTE, 10 * MINUTE),
    evidence: (a) => {
      expect(Number(a.value)).toBeCloseTo(3, 1);
      expect(a.why).toContain('spent most time in search_kb');
      expect(a.baseline).toMatch(/^p95 1\.0 s over \d+ runs$/);
    },
  },
  {
    alertname: 'AgentLooping',
    labels: { agent: 'bot', tool: 'search_kb', severity: 'warning' },
    incident: () => runsFromLine('bot', 'ok loop', T - 2 * MINUTE),
    evidence: (a) => expect(a.description).toContain('same-args'),
  },
];

describe('built-in rules end to end', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  for (const sc of scenarios) {
    it(`${sc.alertname} fires within two evaluations, carries its evidence, resolves after recovery, each notified once`, async () => {
      const vigil = await alertingServer(`
alerting:
  evaluation_interval: 15s
  group_wait: 0s
  group_interval: 1m
  anomaly: { enabled: false }
notifications:
  - { type: webhook, url: ${receiver.url} }
`);
      try {
        if (sc.history) {
          // One healthy run a minute for the 24h before the incident: the baseline.
          await vigil.store.writeRuns(vigil.projectId, spread('bot', 'ok', 24 * 60, T - 25 * 60 * MINUTE, 24 * 60 * MINUTE));
          await stepThrough(vigil, [T - 30 * MINUTE]);
        }
        await vigil.store.writeRuns(vigil.projectId, sc.incident());

        const firstFiring: number[] = [];
        for (const t of [T, T + S]) {
          await stepThrough(vigil, [t]);
          const res = await vigil.app.inject({ url: '/api/alerts?state=firing', headers: { authorization: 'Bearer vgl_alert_test_key' } });
          const firing = (res.json() as { alerts: { alertname: string }[] }).alerts.filter((a) => a.alertname === sc.alertname);
          if (firing.length > 0) firstFiring.push(t);
        }
        expect(firstFiring[0], 'fires within two evaluation intervals').toBeDefined();

        // Recovery: healthy traffic for 30 minutes, evaluated every 15 s.
        await vigil.store.writeRuns(vigil.projectId, spread('bot', 'ok', 60, T + 2 * S, 30 * MINUTE));
        await stepThrough(vigil, steps(T + 2 * S, T + 32 * MINUTE, S));

        const notes = (receiver.received.map((r) => r.body) as WebhookBody[])
          .flatMap((b) => b.alerts.map((a) => ({ ...a, body: b })))
          .filter((a) => a.labels.alertname === sc.alertname);
        const fired = notes.filter((a) => a.status === 'firing');
        const resolved = notes.filter((a) => a.status === 'resolved');
        expect(fired, 'one firing notification').toHaveLength(1);
        expect(resolved, 'one resolved notification').toHaveLength(1);
        expect(fired[0]!.labels).toEqual({ alertname: sc.alertname, ...sc.labels });
        expect(fired[0]!.annotations.summary).toBeTruthy();
        expect(fired[0]!.annotations.runs_url).toContain('/runs?agent_name=bot');
        sc.evidence(fired[0]!.annotations as Record<string, string>);
        expect(fired[0]!.body.version).toBe('4');
        expect(resolved[0]!.endsAt).not.toBe('0001-01-01T00:00:00Z');
        // Nothing else fired: the healthy history and the recovery are quiet.
        expect([...new Set(receiver.received.flatMap((r) => (r.body as WebhookBody).alerts.map((a) => a.labels.alertname)))].sort())
          .toEqual([sc.alertname, ...(sc.alsoFires ?? [])].sort());
        // The history keeps the episode after the resolved instance has been dropped.
        const res = await vigil.app.inject({ url: `/api/alerts/history?from=${T - MINUTE}&to=${T + 40 * MINUTE}`, headers: { authorization: 'Bearer vgl_alert_test_key' } });
        const history = (res.json() as { history: { alertname: string; state: string }[] }).history.filter((h) => h.alertname === sc.alertname);
        expect(history.map((h) => h.state)).toEqual(['resolved', 'firing']);
      } finally {
        await vigil.close();
      }
    });
  }
});
