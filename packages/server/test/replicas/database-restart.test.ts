// PostgreSQL goes away during ingest and comes back: clients get 503 with Retry-After (never a
// hang, never a 500), /readyz says unavailable, then everything recovers and no acknowledged run
// is lost. The test runs its own PostgreSQL server (private-postgres.ts) and stops that one, so
// tests using the shared server at the same time are not disturbed.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRun } from '../helpers/test-server.js';
import { auth, getJson, listAllRunIds, postRuns, startCluster, type Cluster } from './replica-cluster.js';
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';

const skipWhy = privatePostgresUnavailable();
if (skipWhy) {
  if (process.env.CI) throw new Error(`cannot run the PostgreSQL restart test in CI: ${skipWhy}`);
  console.warn(`SKIPPED: ${skipWhy}`);
}

async function waitForPostgres(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

describe.skipIf(skipWhy !== null)(`PostgreSQL restarted during ingest${skipWhy ? ` (SKIPPED: ${skipWhy})` : ''}`, () => {
  let cluster: Cluster;
  let server: PrivatePostgres;
  beforeAll(async () => {
    server = await startPrivatePostgres();
    cluster = await startCluster(2, '', {}, server.url);
  }, 120_000);
  afterAll(async () => {
    try {
      server.start();
    } catch {
      // already running
    }
    await cluster?.stop();
    server?.destroy();
  }, 90_000);

  it('clients see 503 with Retry-After while the database is down, then recovery, and no acknowledged run is lost', async () => {
    const now = Date.now();
    const acknowledged = new Set<string>();
    const statusesSeen = new Set<number>();
    let stop = false;
    let batch = 0;
    const urls = cluster.replicas.map((r) => r.url);

    const client = async (k: number) => {
      while (!stop) {
        const b = batch++;
        const runs = Array.from({ length: 10 }, (_, i) => makeRun({
          run_id: `outage-${k}-${b}-${i}`,
          timestamp: new Date(now - 10 * 60_000 + b * 1_000 + i).toISOString(),
        }));
        const outcome = await postRuns(urls[b % urls.length]!, runs, 60_000);
        for (const s of outcome.retried) statusesSeen.add(s);
        statusesSeen.add(outcome.status);
        if (outcome.status === 200) for (const r of runs) acknowledged.add(r.run_id as string);
      }
    };
    const clients = [0, 1, 2, 3].map(client);
    const until = async (pred: () => boolean) => { while (!pred()) await new Promise((r) => setTimeout(r, 50)); };
    await until(() => acknowledged.size >= 200);

    server.stop();
    try {
      // While it is down: ingest answers 503 at once with Retry-After; readiness says so too.
      const started = Date.now();
      const res = await fetch(`${urls[0]}/v1/runs`, {
        method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ runs: [makeRun()] }),
      });
      const body = (await res.json()) as { error: { code: string } };
      expect(res.status).toBe(503);
      expect(body.error.code).toBe('UNAVAILABLE');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(5_000);
      for (const u of urls) expect((await getJson(u, '/readyz')).status).toBe(503);
      const ackedWhileDown = acknowledged.size;
      await new Promise((r) => setTimeout(r, 1_500));
      expect(acknowledged.size).toBe(ackedWhileDown);
    } finally {
      server.start();
    }
    await waitForPostgres(server.url, 30_000);

    // Recovery: readiness returns and ingest goes on; the retried batches land.
    for (const u of urls) {
      const end = Date.now() + 20_000;
      while ((await getJson(u, '/readyz')).status !== 200) {
        if (Date.now() > end) throw new Error(`${u} did not become ready again`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const afterRecovery = acknowledged.size;
    await until(() => acknowledged.size >= afterRecovery + 200);
    stop = true;
    await Promise.all(clients);

    for (const r of cluster.replicas) expect(r.proc.exitCode, r.output()).toBeNull();
    expect(statusesSeen.has(503)).toBe(true);
    expect([...statusesSeen].filter((s) => s !== 200 && s !== 503 && s !== 429)).toEqual([]);
    const ids = await listAllRunIds(urls[1]!, new Date(now - 60 * 60_000).toISOString(), new Date(now + 60_000).toISOString());
    const stored = new Set(ids);
    expect(stored.size).toBe(ids.length);
    const lost = [...acknowledged].filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
  }, 180_000);
});
