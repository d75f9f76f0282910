// Notification channels belong to a project: through the HTTP API, with two projects and a
// receiver each, one project's alerts reach only its own receiver, and one project's admin can
// neither see nor test the other's channel. A server-wide channel (`project: "*"`) gets every
// project's alerts and shows only to the install's own project.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlertingService } from '../../../src/alerting/alerting-service.js';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { WebhookBody } from '../../../src/alerting/notify/webhook.js';
import { makeRun } from '../../helpers/test-server.js';
import { alertingFromYaml, alertingServer, KEY, MINUTE, startReceiver, stepThrough, T0, type Receiver } from '../helpers.js';

type Server = Awaited<ReturnType<typeof alertingServer>>;

describe('per-project notification channels', () => {
  let a: Receiver;
  let b: Receiver;
  let everyone: Receiver;
  let vigil: Server;
  let keyA: string;
  let keyB: string;

  beforeEach(async () => {
    [a, b, everyone] = await Promise.all([startReceiver(), startReceiver(), startReceiver()]);
    vigil = await alertingServer(`
alerting: { group_wait: 0s, anomaly: { enabled: false } }
notifications:
  - { type: webhook, name: alpha-oncall, project: alpha, url: "${a.url}?token=alpha-secret" }
  - { type: webhook, name: beta-oncall, project: beta, url: "${b.url}" }
  - { type: webhook, name: operator, project: "*", url: "${everyone.url}" }
`);
    const admin = async (name: string) => {
      const project = await vigil.store.ensureProject(name);
      return (await vigil.store.createApiKey({ projectId: project.id, name: `${name} admin`, scopes: ['admin'] })).key;
    };
    keyA = await admin('alpha');
    keyB = await admin('beta');
  });
  afterEach(async () => {
    await vigil.close();
    await Promise.all([a.close(), b.close(), everyone.close()]);
  });

  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  it("delivers a project's alerts to its own channel and the server-wide one, never to another project's", async () => {
    const res = await vigil.app.inject({
      method: 'POST', url: '/v1/runs', headers: as(keyA),
      payload: { runs: [makeRun({ agent_name: 'alpha_bot', completion_status: 'iteration_limit', timestamp: new Date(T0).toISOString() })] },
    });
    expect(res.statusCode).toBe(200);
    await stepThrough(vigil, [T0 + MINUTE]);

    const alertnames = (r: Receiver) => r.received.map((x) => (x.body as WebhookBody).alerts.map((al) => `${al.labels.alertname}/${al.labels.agent}`)).flat();
    expect(alertnames(a)).toEqual(['IterationLimitHit/alpha_bot']);
    expect(alertnames(everyone)).toEqual(['IterationLimitHit/alpha_bot']);
    expect(b.received).toEqual([]);
  });

  it("shows each admin only their project's channels, and the server-wide one only to the default project", async () => {
    const names = async (key: string) => ((await vigil.app.inject({ url: '/api/settings/channels', headers: as(key) })).json() as { channels: { name: string; project: string; url: string }[] }).channels;
    const alpha = await names(keyA);
    expect(alpha.map((c) => c.name)).toEqual(['alpha-oncall']);
    expect(alpha[0]).toMatchObject({ project: 'alpha' });
    // The URL's secret never shows, even to the channel's own project.
    expect(alpha[0]!.url).not.toContain('alpha-secret');
    expect((await names(keyB)).map((c) => c.name)).toEqual(['beta-oncall']);
    expect((await names(KEY)).map((c) => c.name)).toEqual(['operator']);
  });

  it("answers another project's channel test with 404 and sends nothing to it", async () => {
    const foreign = await vigil.app.inject({ method: 'POST', url: '/api/settings/channels/alpha-oncall/test', headers: as(keyB), payload: {} });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const operator = await vigil.app.inject({ method: 'POST', url: '/api/settings/channels/operator/test', headers: as(keyB), payload: {} });
    expect(operator.statusCode).toBe(404);
    expect(a.received).toEqual([]);
    expect(everyone.received).toEqual([]);

    const own = await vigil.app.inject({ method: 'POST', url: '/api/settings/channels/beta-oncall/test', headers: as(keyB), payload: {} });
    expect(own.json()).toMatchObject({ channel: 'beta-oncall', ok: true, status: 200 });
    expect(b.received).toHaveLength(1);
  });
});

describe('a channel for a project that does not exist', () => {
  it('is named in a warning when alerting starts', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
    await store.ensureProject('payments');
    const warnings: string[] = [];
    const service = createAlertingService({
      store, isLeader: () => true,
      config: alertingFromYaml(`
alerting: { anomaly: { enabled: false } }
notifications:
  - { type: webhook, name: pay, project: payments, url: "http://127.0.0.1:9/a" }
  - { type: webhook, name: typo, project: paymnets, url: "http://127.0.0.1:9/b" }
  - { type: webhook, name: all, project: "*", url: "http://127.0.0.1:9/c" }
`).alerting,
      log: { warn: (_o, m) => void warnings.push(m), error: () => {} },
    });
    try {
      service.start();
      await expect.poll(() => warnings.length).toBe(1);
      expect(warnings[0]).toMatch(/'typo' is for project 'paymnets', which does not exist/);
    } finally {
      await service.close();
      await store.close();
    }
  });
});
