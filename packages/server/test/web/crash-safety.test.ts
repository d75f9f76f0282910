// Durability as a user relies on it: an acknowledged run survives SIGKILL, and SIGTERM drains.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../helpers/child-server.js';

const KEY = 'vgl_crash_test_key';
let dir = '';
let server: ChildServer | null = null;

afterEach(() => {
  if (server && server.proc.exitCode === null) server.proc.kill('SIGKILL');
  server = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Posts batches of fresh runs from `workers` concurrent loops until `stop()`; returns acknowledged ids. */
function ingestLoad(url: string, workers: number) {
  const acked: string[] = [];
  let running = true;
  let seq = 0;
  const loops = Array.from({ length: workers }, async (_, w) => {
    while (running) {
      const ids = Array.from({ length: 10 }, () => `w${w}-${seq++}`);
      const runs = ids.map((run_id) => ({ run_id, agent_name: 'crash_bot', completion_status: 'success', duration_ms: 10, tool_calls: [{ name: 't', status: 'success' }] }));
      try {
        const res = await fetch(`${url}/v1/runs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ runs }),
        });
        if (res.status === 200) acked.push(...ids);
      } catch {
        return; // the server died mid-request: nothing was acknowledged
      }
    }
  });
  return { acked, stop: async () => { running = false; await Promise.all(loops); } };
}

describe('durability', () => {
  it('keeps every acknowledged run when the server is killed with SIGKILL under concurrent ingest', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
    const db = join(dir, 'vigil.db');
    server = await startChildServer(['--db', db, '--api-key', KEY]);
    const load = ingestLoad(server.url, 16);
    await new Promise((r) => setTimeout(r, 1500));
    server.proc.kill('SIGKILL');
    await server.exited;
    await load.stop();
    expect(load.acked.length).toBeGreaterThan(100);

    const conn = new Database(db, { readonly: false });
    const stored = new Set((conn.prepare('SELECT run_id FROM runs').all() as { run_id: string }[]).map((r) => r.run_id));
    conn.close();
    const missing = load.acked.filter((id) => !stored.has(id));
    expect(missing).toEqual([]);

    // And the server starts again on the same file and serves them.
    server = await startChildServer(['--db', db, '--api-key', KEY]);
    const res = await fetch(`${server.url}/api/runs/${load.acked[0]}`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(200);
  });

  it('drains in-flight requests and queued writes on SIGTERM, then exits 0', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-drain-'));
    const db = join(dir, 'vigil.db');
    server = await startChildServer(['--db', db, '--api-key', KEY]);
    const load = ingestLoad(server.url, 8);
    await new Promise((r) => setTimeout(r, 800));
    server.proc.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await load.stop();
    const conn = new Database(db, { readonly: true });
    const stored = new Set((conn.prepare('SELECT run_id FROM runs').all() as { run_id: string }[]).map((r) => r.run_id));
    conn.close();
    expect(load.acked.length).toBeGreaterThan(0);
    expect(load.acked.filter((id) => !stored.has(id))).toEqual([]);
  });
});
