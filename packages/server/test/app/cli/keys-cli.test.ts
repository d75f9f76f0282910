// `vigil keys` and first start, driven as a person would: the real CLI in a child process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, startChildServer, type ChildServer } from '../../helpers/child-server.js';

const CLI = fileURLToPath(new URL('../../../src/app/cli.ts', import.meta.url));
const vigil = (...args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

let dir = '';
let server: ChildServer | null = null;
afterEach(async () => {
  if (server && server.proc.exitCode === null) {
    server.proc.kill('SIGTERM');
    await server.exited;
  }
  server = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('vigil CLI', () => {
  it('creates the default project and one admin key on first start, printed once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-first-'));
    const db = join(dir, 'nested', 'vigil.db');
    server = await startChildServer(['--db', db]);
    const key = /Admin API key .*: (vgl_\S+)/.exec(server.output())?.[1];
    expect(key).toBeTruthy();
    const res = await fetch(`${server.url}/api/runs`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    server.proc.kill('SIGTERM');
    await server.exited;

    server = await startChildServer(['--db', db]);
    expect(server.output()).not.toMatch(/Admin API key/);
  });

  it('creates, lists and revokes keys; a revoked key stops working', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-keys-'));
    const db = join(dir, 'vigil.db');
    const created = vigil('keys', 'create', '--name', 'agents', '--scopes', 'ingest', '--db', db);
    const id = /Created key (vk_[0-9a-f]+)/.exec(created)?.[1];
    const secret = /Secret \(shown once\): (vgl_\S+)/.exec(created)?.[1];
    expect(id && secret).toBeTruthy();
    expect(vigil('keys', 'list', '--db', db)).toMatch(new RegExp(`${id}\\s+project=default\\s+ingest\\s+active\\s+agents`));

    server = await startChildServer(['--db', db]);
    const post = () => fetch(`${server!.url}/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ run_id: 'k1', agent_name: 'a', completion_status: 'success' }),
    });
    expect((await post()).status).toBe(200);
    expect((await fetch(`${server.url}/api/runs`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(403);

    expect(vigil('keys', 'revoke', id!, '--db', db)).toContain(`Revoked ${id}`);
    expect(vigil('keys', 'list', '--db', db)).toMatch(/revoked/);
    server.proc.kill('SIGTERM');
    await server.exited;
    server = await startChildServer(['--db', db]);
    expect((await post()).status).toBe(401);
  });

  it('lists each key with its project by name, as keys create --project names it', () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-keys-'));
    const db = join(dir, 'vigil.db');
    vigil('keys', 'create', '--name', 'ops', '--scopes', 'admin', '--db', db);
    vigil('keys', 'create', '--name', 'billing-agents', '--scopes', 'ingest', '--project', 'billing', '--db', db);
    const listed = vigil('keys', 'list', '--db', db);
    expect(listed).toMatch(/project=default\s+admin\s+active\s+ops/);
    expect(listed).toMatch(/project=billing\s+ingest\s+active\s+billing-agents/);
    expect(listed).not.toMatch(/project=\d/);
  });

  it('refuses an unknown scope with exit code 2', () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-keys-'));
    expect(() => vigil('keys', 'create', '--scopes', 'write', '--db', join(dir, 'v.db'))).toThrow(/'write' is not one of ingest, read, admin/);
  });
});
