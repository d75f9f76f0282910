// Several real `vigil serve` processes on one PostgreSQL schema, as a load balancer would see
// them, plus the HTTP helpers the replica tests share: post runs with retries the way the SDK
// does (429/503 honour Retry-After), page through /api/runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildServer, type ChildServer } from '../helpers/child-server.js';
import { TEST_DATABASE_URL, testSchema } from '../store/postgres-test-db.js';

export const KEY = 'vgl_replica_test_key_all_scopes';
export const auth = { authorization: `Bearer ${KEY}` };

export interface Cluster {
  schema: string;
  replicas: ChildServer[];
  /** Starts one more replica on the same schema and config. */
  add(): Promise<ChildServer>;
  /** Stops every replica still running (SIGTERM), drops the schema, removes the config. */
  stop(): Promise<void>;
  /** A store on the cluster's schema, for checks that look under the API. */
  store: ReturnType<ReturnType<typeof testSchema>['open']>;
}

export async function startCluster(n: number, extraYaml = '', env: NodeJS.ProcessEnv = {}, url = TEST_DATABASE_URL): Promise<Cluster> {
  const db = testSchema({}, url);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-replicas-'));
  const configFile = join(dir, 'vigil.yaml');
  writeFileSync(configFile, `database:\n  schema: ${db.schema}\n  pool_size: 4\n  connect_timeout: 2s\n${extraYaml}`);
  const add = () => startChildServer(['--database-url', url, '--config', configFile, '--api-key', KEY], env);
  // One at a time first: the first migrates; the others then race only for the lock, tested elsewhere.
  const replicas: ChildServer[] = [await add()];
  replicas.push(...(await Promise.all(Array.from({ length: n - 1 }, add))));
  const store = db.open();
  return {
    schema: db.schema,
    replicas,
    async add() {
      const r = await add();
      replicas.push(r);
      return r;
    },
    store,
    async stop() {
      await Promise.all(replicas.map(async (r) => {
        if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGTERM');
        await r.exited;
      }));
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PostOutcome {
  status: number;
  /** Statuses seen before the final one (503s during an outage, 429s under load). */
  retried: number[];
}

/** Posts runs until a 2xx, retrying 429/503/connection errors after Retry-After (capped), as the SDK does. */
export async function postRuns(url: string, runs: unknown[], deadlineMs = 60_000): Promise<PostOutcome> {
  const retried: number[] = [];
  const end = Date.now() + deadlineMs;
  for (;;) {
    let status: number;
    let retryAfterS = 0.2;
    try {
      const res = await fetch(`${url}/v1/runs`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ runs }),
        signal: AbortSignal.timeout(15_000),
      });
      status = res.status;
      retryAfterS = Number(res.headers.get('retry-after') ?? '0.2');
      await res.arrayBuffer();
    } catch {
      status = 0; // connection refused or timed out: the replica is gone or the request hung
    }
    if (status >= 200 && status < 300) return { status, retried };
    if (status !== 0 && status !== 429 && status !== 503) return { status, retried };
    retried.push(status);
    if (Date.now() > end) return { status, retried };
    // Capped below the advertised delay so the tests stay quick; the SDK waits the full time.
    await new Promise((r) => setTimeout(r, Math.min(retryAfterS, 0.5) * 1_000));
  }
}

export async function getJson<T>(url: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, { headers: auth });
  return { status: res.status, body: (await res.json()) as T };
}

/** Every run id the replica lists in the range, in list order. */
export async function listAllRunIds(url: string, from: string, to: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10_000; page++) {
    const q = new URLSearchParams({ from, to, limit: '500' });
    if (cursor) q.set('cursor', cursor);
    const { status, body } = await getJson<{ runs: { run_id: string }[]; next_cursor: string | null }>(url, `/api/runs?${q}`);
    if (status !== 200) throw new Error(`GET /api/runs answered ${status}`);
    ids.push(...body.runs.map((r) => r.run_id));
    if (!body.next_cursor) return ids;
    cursor = body.next_cursor;
  }
  throw new Error('paging did not end');
}
