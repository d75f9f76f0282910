// Alert evaluation across replicas: one replica holds the evaluation lease; it is killed with
// SIGKILL while an alert is firing; another takes the lease over within two lease periods and
// carries on from the state and notification log in the database. A real webhook receiver must
// see the alert fire exactly once and resolve exactly once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRun } from '../helpers/test-server.js';
import { postgresUnreachable } from '../store/postgres-test-db.js';
import { postRuns, startCluster, type Cluster } from './replica-cluster.js';

const unreachable = await postgresUnreachable();

/** The alerting service's lease lasts max(evaluation_interval, 5 s) (alerting-service.ts). */
const LEASE_TTL_MS = 5_000;
const INCIDENT_WINDOW_S = 15;

interface WebhookAlert { status: 'firing' | 'resolved'; labels: Record<string, string> }
interface Received { at: number; status: string; alerts: WebhookAlert[] }

const until = async (what: string, pred: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.skipIf(unreachable !== null)(`alert evaluation fails over between replicas${unreachable ? ` (SKIPPED: ${unreachable})` : ''}`, () => {
  let cluster: Cluster;
  let receiver: Server;
  const received: Received[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => { body += d.toString(); });
      req.on('end', () => {
        const payload = JSON.parse(body) as { status: string; alerts: WebhookAlert[] };
        received.push({ at: Date.now(), status: payload.status, alerts: payload.alerts });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    cluster = await startCluster(3, [
      'alerting:',
      '  evaluation_interval: 1s',
      '  group_wait: 0s',
      '  group_interval: 1s',
      '  repeat_interval: 4h',
      '  rules:',
      `    IterationLimitHit: { window: ${INCIDENT_WINDOW_S}s }`,
      '  anomaly: { enabled: false }',
      'notifications:',
      `  - { type: webhook, url: "http://127.0.0.1:${port}/hook", send_resolved: true }`,
      '',
    ].join('\n'));
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  }, 60_000);

  const holder = async (): Promise<string | null> =>
    (await cluster.store.pool.query<{ holder: string; expires_at: number }>(
      "SELECT holder, expires_at FROM leases WHERE name = 'alert-evaluator' AND expires_at > (extract(epoch from clock_timestamp()) * 1000)::bigint",
    )).rows[0]?.holder ?? null;
  const pidOf = (h: string): number => Number(h.split(':')[1]);

  it('the evaluating replica dies mid-incident; another takes over; the alert fires once and resolves once', async () => {
    await until('a replica to take the evaluation lease', async () => (await holder()) !== null, 15_000);
    const leader = (await holder())!;
    const victim = cluster.replicas.find((r) => r.proc.pid === pidOf(leader));
    expect(victim, `lease holder ${leader} is one of the replicas`).toBeDefined();
    const other = cluster.replicas.find((r) => r !== victim)!;

    const run = makeRun({ agent_name: 'looping_bot', completion_status: 'iteration_limit', iterations: 10, timestamp: new Date().toISOString() });
    expect((await postRuns(other.url, [run])).status).toBe(200);
    const ofIncident = (status: string) => received.flatMap((n) => n.alerts)
      .filter((a) => a.labels.alertname === 'IterationLimitHit' && a.labels.agent === 'looping_bot' && a.status === status);
    await until('the firing notification', () => ofIncident('firing').length > 0, 15_000);
    // The notifier logs a notification once the receiver has taken it (notify/notifier.ts): a
    // replica killed in the milliseconds between the two sends it again after failover, as
    // Alertmanager's own HA does. The incident here is past that moment: delivered and logged.
    await until('the notification log entry', async () => (await cluster.store.pool.query<{ value: string }>(
      "SELECT value FROM alerting_values WHERE key LIKE 'notify/log/%'",
    )).rows.some((r) => (JSON.parse(r.value) as { firing: string[] }).firing.length > 0), 10_000);

    // Mid-incident: the alert is firing and will resolve when the run leaves the window.
    const killedAt = Date.now();
    victim!.proc.kill('SIGKILL');
    await victim!.exited;
    await until('another replica to hold the lease', async () => {
      const h = await holder();
      return h !== null && h !== leader;
    }, 4 * LEASE_TTL_MS);
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs, 'ms from SIGKILL to a new lease holder').toBeLessThan(2 * LEASE_TTL_MS);
    const successor = pidOf((await holder())!);
    expect(cluster.replicas.some((r) => r !== victim && r.proc.pid === successor)).toBe(true);

    await until('the resolved notification', () => ofIncident('resolved').length > 0, (INCIDENT_WINDOW_S + 20) * 1_000);
    // A few more evaluation rounds: nothing may be sent again.
    await new Promise((r) => setTimeout(r, 4_000));
    const log = JSON.stringify(received.map((n) => ({ at: n.at - killedAt, alerts: n.alerts.map((a) => `${a.labels.alertname}:${a.status}`) })));
    expect(ofIncident('firing'), `notifications (ms after the kill): ${log}`).toHaveLength(1);
    expect(ofIncident('resolved'), `notifications (ms after the kill): ${log}`).toHaveLength(1);
    console.log(`alert failover: lease taken over ${takeoverMs} ms after SIGKILL (lease ${LEASE_TTL_MS} ms)`);
  }, 120_000);
});
