// Three real `vigil serve` replicas on one PostgreSQL schema behind no load balancer but the
// test's own round robin: ingest to any, read from any, same answers. Re-sends of one run reach
// different replicas at once; every acknowledged run must be stored exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRun } from '../helpers/test-server.js';
import { postgresUnreachable } from '../store/postgres-test-db.js';
import { getJson, KEY, listAllRunIds, postRuns, startCluster, type Cluster } from './replica-cluster.js';

const unreachable = await postgresUnreachable();

const CLIENTS_PER_REPLICA = 3;
const BATCHES_PER_CLIENT = 12;
const RUNS_PER_BATCH = 25;

describe.skipIf(unreachable !== null)(`replicas on one PostgreSQL${unreachable ? ` (SKIPPED: ${unreachable})` : ''}`, () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster(3);
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('every run acknowledged by any replica is stored exactly once and every replica answers the same', async () => {
    const now = Date.now();
    const acknowledged = new Set<string>();
    const sent: Record<string, unknown>[] = [];
    const urls = cluster.replicas.map((r) => r.url);

    const clients = urls.flatMap((_, replica) => Array.from({ length: CLIENTS_PER_REPLICA }, (_, c) => (async () => {
      for (let b = 0; b < BATCHES_PER_CLIENT; b++) {
        const fresh = Array.from({ length: RUNS_PER_BATCH }, (_, i) => makeRun({
          run_id: `r${replica}-c${c}-b${b}-${i}`,
          agent_name: `agent_${i % 4}`,
          timestamp: new Date(now - 30 * 60_000 + ((b * RUNS_PER_BATCH + i) % 1_800) * 1_000).toISOString(),
          duration_ms: 100 + ((replica * 7 + c * 13 + b * 17 + i * 31) % 900),
          completion_status: i % 9 === 0 ? 'error' : 'success',
        }));
        // Re-send a few runs someone else already sent, unchanged, through this replica.
        const resend = sent.slice(-40).filter((_, k) => k % 8 === replica);
        // Rotate replicas per batch so each client also writes through the others.
        const target = urls[(replica + b) % urls.length]!;
        const outcome = await postRuns(target, [...fresh, ...resend]);
        expect(outcome.status, `POST to ${target} after ${outcome.retried.join(',')}`).toBe(200);
        for (const r of [...fresh, ...resend]) acknowledged.add(r.run_id as string);
        sent.push(...fresh);
      }
    })()));
    await Promise.all(clients);
    expect(acknowledged.size).toBe(urls.length * CLIENTS_PER_REPLICA * BATCHES_PER_CLIENT * RUNS_PER_BATCH);

    const from = new Date(now - 60 * 60_000).toISOString();
    const to = new Date(now + 60_000).toISOString();
    const lists = await Promise.all(urls.map((u) => listAllRunIds(u, from, to)));
    for (const ids of lists) {
      expect(ids.length).toBe(acknowledged.size);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => acknowledged.has(id))).toBe(true);
      expect(ids).toEqual(lists[0]);
    }

    // Analytics come from rollups maintained by three writers at once: every replica must agree,
    // and the counts must be exactly the stored runs.
    const overviews = await Promise.all(urls.map((u) => getJson<{ agents: { agent_name: string; runs: number }[] }>(u, `/api/agents?from=${from}&to=${to}`)));
    for (const o of overviews) {
      expect(o.status).toBe(200);
      expect(o.body).toEqual(overviews[0]!.body);
    }
    expect(overviews[0]!.body.agents.reduce((n, a) => n + a.runs, 0)).toBe(acknowledged.size);
  }, 240_000);

  it('a dashboard session or a sign-in link from one replica works on the others, a link once', async () => {
    const [a, b, c] = cluster.replicas.map((r) => r.url) as [string, string, string];
    const signIn = await fetch(`${a}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: KEY }) });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    for (const url of [b, c]) {
      expect(await (await fetch(`${url}/api/session`, { headers: { cookie } })).json()).toMatchObject({ authenticated: true, key_id: 'cli' });
      expect((await fetch(`${url}/api/runs?limit=1`, { headers: { cookie } })).status).toBe(200);
    }
    // The link replica a printed at start, opened through the others.
    const link = /one-time sign-in link\): \S+?(\/signin\/[A-Za-z0-9_-]+)/.exec(cluster.replicas[0]!.output())?.[1];
    expect(link).toBeDefined();
    const first = await fetch(`${b}${link}`, { redirect: 'manual' });
    expect([first.status, first.headers.get('location')]).toEqual([303, '/']);
    const linkCookie = first.headers.get('set-cookie')!.split(';')[0]!;
    expect(await (await fetch(`${c}/api/session`, { headers: { cookie: linkCookie } })).json()).toMatchObject({ authenticated: true });
    const again = await fetch(`${c}${link}`, { redirect: 'manual' });
    expect([again.status, again.headers.get('location')]).toEqual([303, '/signin?error=link']);
  });

  it('every replica reports ready on PostgreSQL', async () => {
    for (const r of cluster.replicas) {
      const { status, body } = await getJson<{ status: string; store: string }>(r.url, '/readyz');
      expect(status).toBe(200);
      expect(body).toEqual({ status: 'ready', store: 'postgres' });
    }
  });
});
