// The alert API through app.inject(): GET /api/alerts with its state filter, silences created,
// listed and expired (admin scope), silenced alerts still listed and marked, notifying nobody.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VigilServer } from '../../src/app/server.js';
import { alertingServer, KEY, MINUTE, runsFromLine, startReceiver, stepThrough, type Receiver } from './helpers.js';

const H = { authorization: `Bearer ${KEY}` };
// Silences take the server's clock (startsAt defaults to now), so this scenario runs at the real time.
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE - 5 * MINUTE;

describe('alert and silence API', () => {
  let vigil: VigilServer & { projectId: number };
  let receiver: Receiver;
  let readKey: string;

  beforeEach(async () => {
    receiver = await startReceiver();
    vigil = await alertingServer(`
alerting: { group_wait: 0s, group_interval: 1m, anomaly: { enabled: false } }
notifications: [{ type: webhook, url: ${receiver.url} }]
`);
    readKey = (await vigil.store.createApiKey({ projectId: vigil.projectId, name: 'reader', scopes: ['read'] })).key;
    // Two agents hit the iteration limit: two firing alerts.
    await vigil.store.writeRuns(vigil.projectId, [...runsFromLine('bot', 'iter', T0), ...runsFromLine('other', 'iter', T0)]);
  });
  afterEach(async () => {
    await vigil.close();
    await receiver.close();
  });

  const silence = (body: object, key = KEY) => vigil.app.inject({ method: 'POST', url: '/api/silences', headers: { authorization: `Bearer ${key}` }, payload: body });
  const endsAt = new Date(Date.now() + 3_600_000).toISOString();

  it('lists alerts with DESIGN\'s fields and filters by state', async () => {
    await stepThrough(vigil, [T0 + 6 * MINUTE]);
    const res = await vigil.app.inject({ url: '/api/alerts?state=firing', headers: H });
    expect(res.statusCode).toBe(200);
    const alerts = res.json().alerts as Record<string, unknown>[];
    expect(alerts.map((a) => (a.labels as Record<string, string>).agent).sort()).toEqual(['bot', 'other']);
    expect(alerts[0]).toMatchObject({ alertname: 'IterationLimitHit', state: 'firing', value: 1, endsAt: null, silenced: false });
    expect(Object.keys(alerts[0]!)).toEqual(expect.arrayContaining(['alertname', 'labels', 'state', 'value', 'annotations', 'startsAt', 'endsAt']));
    expect((await vigil.app.inject({ url: '/api/alerts?state=pending', headers: H })).json().alerts).toEqual([]);
  });

  it('answers 400 naming the parameter for an unknown state', async () => {
    const res = await vigil.app.inject({ url: '/api/alerts?state=burning', headers: H });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'INVALID_PARAMETER', details: [{ path: 'state' }] });
  });

  it('a silence keeps its alert listed, marked silenced, and notifies nobody', async () => {
    const created = await silence({ matchers: [{ name: 'agent', value: 'bot' }], endsAt, comment: 'deploying a fix' });
    expect(created.statusCode).toBe(200);
    const id = created.json().silenceID as string;
    await stepThrough(vigil, [T0 + 6 * MINUTE, T0 + 7 * MINUTE]);
    const alerts = (await vigil.app.inject({ url: '/api/alerts', headers: H })).json().alerts as { labels: { agent: string }; silenced: boolean; silencedBy: string[] }[];
    expect(alerts.find((a) => a.labels.agent === 'bot')).toMatchObject({ silenced: true, silencedBy: [id] });
    expect(alerts.find((a) => a.labels.agent === 'other')).toMatchObject({ silenced: false });
    expect((await vigil.app.inject({ url: '/api/alerts?silenced=true', headers: H })).json().alerts).toHaveLength(1);
    const notified = receiver.received.flatMap((r) => (r.body as { alerts: { labels: { agent: string } }[] }).alerts.map((a) => a.labels.agent));
    expect(notified).toEqual(['other']);

    // Expiring it lets the still-firing alert through.
    const del = await vigil.app.inject({ method: 'DELETE', url: `/api/silences/${id}`, headers: H });
    expect(del.statusCode).toBe(200);
    expect(del.json().silence.status.state).toBe('expired');
    await stepThrough(vigil, [T0 + 8 * MINUTE]);
    expect(receiver.received.flatMap((r) => (r.body as { alerts: { labels: { agent: string } }[] }).alerts.map((a) => a.labels.agent))).toEqual(['other', 'bot']);
    const list = (await vigil.app.inject({ url: '/api/silences', headers: H })).json().silences;
    expect(list).toMatchObject([{ id, comment: 'deploying a fix', matchers: [{ name: 'agent', value: 'bot', isRegex: false, isEqual: true }], status: { state: 'expired' } }]);
  });

  it('regex and negative matchers select as Alertmanager\'s do', async () => {
    await silence({ matchers: [{ name: 'agent', value: 'b.*', isRegex: true }, { name: 'alertname', value: 'SuccessRateDrop', isEqual: false }], endsAt, comment: 'c' });
    await stepThrough(vigil, [T0 + 6 * MINUTE]);
    const alerts = (await vigil.app.inject({ url: '/api/alerts', headers: H })).json().alerts as { labels: { agent: string }; silenced: boolean }[];
    expect(alerts.filter((a) => a.silenced).map((a) => a.labels.agent)).toEqual(['bot']);
  });

  it('rejects a bad silence with 400 naming the field, and stores nothing', async () => {
    const cases: [object, string][] = [
      [{ matchers: [], endsAt, comment: 'c' }, '/matchers'],
      [{ matchers: [{ name: 'agent', value: '(' , isRegex: true }], endsAt, comment: 'c' }, '/matchers/0/value'],
      [{ matchers: [{ name: '1bad', value: 'x' }], endsAt, comment: 'c' }, '/matchers/0/name'],
      [{ matchers: [{ name: 'agent', value: 'x' }], endsAt: 'tomorrow', comment: 'c' }, '/endsAt'],
      [{ matchers: [{ name: 'agent', value: 'x' }], endsAt: new Date(Date.now() - 1000).toISOString(), comment: 'c' }, '/endsAt'],
      [{ matchers: [{ name: 'agent', value: 'x' }], endsAt }, '/comment'],
      [{ matchers: [{ name: 'agent', value: 'x' }], endsAt, comment: 'c', extra: 1 }, '/extra'],
    ];
    for (const [body, path] of cases) {
      const res = await silence(body);
      expect(res.statusCode, path).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect((await vigil.app.inject({ url: '/api/silences', headers: H })).json().silences).toEqual([]);
  });

  it('a read key can list silences but not create or expire them', async () => {
    expect((await vigil.app.inject({ url: '/api/silences', headers: { authorization: `Bearer ${readKey}` } })).statusCode).toBe(200);
    const res = await silence({ matchers: [{ name: 'agent', value: 'bot' }], endsAt, comment: 'c' }, readKey);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
    const del = await vigil.app.inject({ method: 'DELETE', url: '/api/silences/nope', headers: { authorization: `Bearer ${readKey}` } });
    expect(del.statusCode).toBe(403);
    expect((await vigil.app.inject({ url: '/api/alerts' })).statusCode).toBe(401);
  });

  it('answers 404 for expiring an unknown silence', async () => {
    const res = await vigil.app.inject({ method: 'DELETE', url: '/api/silences/00000000-0000-0000-0000-000000000000', headers: H });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });
});
