import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilServer } from '../../src/app/server.js';
import { auth, makeRun, startTestServer } from '../helpers/test-server.js';

let vigil: VigilServer & { key: string };
let dist: string;
let readKey: string;
let ingestKey: string;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'vigil-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Vigil test app</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(dist, 'assets', 'app.js'), 'console.log("app")');
  vigil = await startTestServer({ dashboardDir: dist });
  const project = vigil.defaultProject.id;
  readKey = (await vigil.store.createApiKey({ projectId: project, name: 'reader', scopes: ['read'] })).key;
  ingestKey = (await vigil.store.createApiKey({ projectId: project, name: 'agents', scopes: ['ingest'] })).key;
  const res = await vigil.app.inject({ method: 'POST', url: '/v1/runs', payload: { runs: [makeRun({ run_id: 'dash-1' })] }, headers: auth() });
  expect(res.statusCode).toBe(200);
});
afterAll(async () => {
  await vigil.close();
  rmSync(dist, { recursive: true, force: true });
});

const signIn = async (key: string) => vigil.app.inject({ method: 'POST', url: '/api/session', payload: { key } });
/** The session cookie from a response, as the browser would send it back. */
function cookieOf(res: { headers: Record<string, unknown> }): string {
  const header = String(res.headers['set-cookie']);
  return header.split(';')[0]!;
}

describe('dashboard sign-in', () => {
  it('exchanges a read key for an HttpOnly, SameSite=Strict session cookie that the read API accepts', async () => {
    const res = await signIn(readKey);
    expect(res.statusCode).toBe(200);
    expect(res.json().scopes).toEqual(['read']);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^vigil_session=[A-Za-z0-9_-]{40,};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    const cookie = cookieOf(res);
    const run = await vigil.app.inject({ url: '/api/runs/dash-1', headers: { cookie } });
    expect(run.statusCode).toBe(200);
    expect(run.json().run_id).toBe('dash-1');
    expect((await vigil.app.inject({ url: '/api/session', headers: { cookie } })).json()).toMatchObject({ authenticated: true, scopes: ['read'] });
    expect((await vigil.app.inject({ url: '/api/session' })).json()).toEqual({ authenticated: false });
  });

  it('answers 401 to the read API without a key or cookie, and with a made-up cookie', async () => {
    expect((await vigil.app.inject({ url: '/api/runs' })).statusCode).toBe(401);
    const forged = await vigil.app.inject({ url: '/api/runs', headers: { cookie: 'vigil_session=not-a-session' } });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error.code).toBe('UNAUTHORIZED');
  });

  it('refuses an unknown key with 401, an ingest-only key with 403, and a missing key with 400 naming /key', async () => {
    const unknown = await signIn('vgl_nope');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.headers['set-cookie']).toBeUndefined();
    const ingestOnly = await signIn(ingestKey);
    expect(ingestOnly.statusCode).toBe(403);
    expect(ingestOnly.json().error.code).toBe('FORBIDDEN');
    const missing = await vigil.app.inject({ method: 'POST', url: '/api/session', payload: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('VALIDATION_FAILED');
    expect(missing.json().error.details[0].path).toBe('/key');
  });

  it('signs out: the cookie is cleared and no longer opens the API', async () => {
    const cookie = cookieOf(await signIn(readKey));
    const out = await vigil.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    expect((await vigil.app.inject({ url: '/api/runs', headers: { cookie } })).statusCode).toBe(401);
  });

  it('opens a session once from a sign-in link, and sends a second visit back to sign-in', async () => {
    const path = await vigil.dashboard.createSignInPath(vigil.defaultProject.id);
    const first = await vigil.app.inject({ url: path });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/');
    expect(first.headers['referrer-policy']).toBe('no-referrer');
    const cookie = cookieOf(first);
    expect((await vigil.app.inject({ url: '/api/runs', headers: { cookie } })).statusCode).toBe(200);
    const again = await vigil.app.inject({ url: path });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/signin?error=link');
    expect(again.headers['set-cookie']).toBeUndefined();
  });
});

describe('API key management', () => {
  it('refuses a read-only session with 403 and answers an admin key', async () => {
    const cookie = cookieOf(await signIn(readKey));
    const res = await vigil.app.inject({ url: '/api/keys', headers: { cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
    const admin = await vigil.app.inject({ url: '/api/keys', headers: auth() });
    expect(admin.statusCode).toBe(200);
    expect(admin.json().keys.map((k: { name: string }) => k.name)).toEqual(expect.arrayContaining(['reader', 'agents']));
    expect(JSON.stringify(admin.json())).not.toContain(readKey);
  });

  it('creates a key with the chosen scopes whose secret works once shown, and lists it without the secret', async () => {
    const res = await vigil.app.inject({ method: 'POST', url: '/api/keys', payload: { name: 'ci agents', scopes: ['ingest'] }, headers: auth() });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.key).toMatchObject({ name: 'ci agents', scopes: ['ingest'], revoked_at: null });
    expect(body.secret).toMatch(/^vgl_/);
    const ingest = await vigil.app.inject({ method: 'POST', url: '/v1/runs', payload: { runs: [makeRun()] }, headers: auth(body.secret) });
    expect(ingest.statusCode).toBe(200);
    expect((await vigil.app.inject({ url: '/api/runs', headers: auth(body.secret) })).statusCode).toBe(403);
  });

  it('rejects a key without a name or with an unknown scope, naming the field, and stores nothing', async () => {
    const before = (await vigil.app.inject({ url: '/api/keys', headers: auth() })).json().keys.length;
    const res = await vigil.app.inject({ method: 'POST', url: '/api/keys', payload: { name: '', scopes: ['read', 'root'] }, headers: auth() });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.json().error.details.map((d: { path: string }) => d.path)).toEqual(['/name', '/scopes/1']);
    expect((await vigil.app.inject({ url: '/api/keys', headers: auth() })).json().keys.length).toBe(before);
  });

  it('revokes a key: its Bearer use and its dashboard sessions stop at once', async () => {
    const created = (await vigil.app.inject({ method: 'POST', url: '/api/keys', payload: { name: 'temp reader', scopes: ['read'] }, headers: auth() })).json();
    const cookie = cookieOf(await signIn(created.secret));
    expect((await vigil.app.inject({ url: '/api/runs', headers: { cookie } })).statusCode).toBe(200);
    const del = await vigil.app.inject({ method: 'DELETE', url: `/api/keys/${created.key.id}`, headers: auth() });
    expect(del.statusCode).toBe(204);
    expect((await vigil.app.inject({ url: '/api/runs', headers: { cookie } })).statusCode).toBe(401);
    expect((await vigil.app.inject({ url: '/api/runs', headers: auth(created.secret) })).statusCode).toBe(401);
    const again = await vigil.app.inject({ method: 'DELETE', url: `/api/keys/${created.key.id}`, headers: auth() });
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('NOT_FOUND');
  });

  it('never shows or revokes another project’s keys', async () => {
    const other = await vigil.store.ensureProject('other');
    const foreign = await vigil.store.createApiKey({ projectId: other.id, name: 'foreign', scopes: ['admin'] });
    const list = (await vigil.app.inject({ url: '/api/keys', headers: auth() })).json().keys;
    expect(list.some((k: { id: string }) => k.id === foreign.record.id)).toBe(false);
    const del = await vigil.app.inject({ method: 'DELETE', url: `/api/keys/${foreign.record.id}`, headers: auth() });
    expect(del.statusCode).toBe(404);
    expect((await vigil.app.inject({ url: '/api/keys', headers: auth(foreign.key) })).statusCode).toBe(200);
  });
});

describe('the app itself', () => {
  it('serves index.html on every app route with a strict Content-Security-Policy, and assets by path', async () => {
    for (const url of ['/', '/runs', '/runs/abc', '/agents/support_bot', '/alerts', '/settings', '/signin']) {
      const res = await vigil.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('Vigil test app');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
    const asset = await vigil.app.inject({ url: '/assets/app.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    const missing = await vigil.app.inject({ url: '/assets/nope.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
  });

  it('serves a page that says how to build the dashboard when it has not been built', async () => {
    const bare = await startTestServer({ dashboardDir: join(dist, 'does-not-exist') });
    try {
      const res = await bare.app.inject({ url: '/' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('npm run build');
    } finally {
      await bare.close();
    }
  });
});
