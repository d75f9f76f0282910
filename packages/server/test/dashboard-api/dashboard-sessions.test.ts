// Dashboard sessions live in the store: a restart signs nobody out, and a session still ends when
// the key it was opened with goes away (revoked, or a command-line key no longer given).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVigilServer, type VigilServer } from '../../src/app/server.js';

const dirs: string[] = [];
const open: VigilServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((v) => v.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function serve(db: string, apiKeys: string[]): Promise<VigilServer> {
  const vigil = await createVigilServer({ db, apiKeys, logger: false });
  open.push(vigil);
  return vigil;
}

const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie']).split(';')[0]!;
const whoAmI = async (vigil: VigilServer, cookie: string) => (await vigil.app.inject({ url: '/api/session', headers: { cookie } })).json() as { authenticated: boolean };

describe('dashboard sessions across restarts', () => {
  it('keeps sessions and unused sign-in links over a restart; ends them with their key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sessions-'));
    dirs.push(dir);
    const db = join(dir, 'vigil.db');
    const first = await serve(db, ['vgl_cli_key_one']);
    const project = first.defaultProject.id;
    const reader = await first.store.createApiKey({ projectId: project, name: 'reader', scopes: ['read'] });
    const withStored = cookieOf(await first.app.inject({ method: 'POST', url: '/api/session', payload: { key: reader.key } }));
    const withCli = cookieOf(await first.app.inject({ method: 'POST', url: '/api/session', payload: { key: 'vgl_cli_key_one' } }));
    const link = await first.dashboard.createSignInPath(project);
    await first.close();
    open.splice(0);

    // Restarted with another command-line key: the stored key's session and the link still work,
    // the session of the command-line key that is gone does not.
    const second = await serve(db, ['vgl_cli_key_two']);
    expect(await whoAmI(second, withStored)).toMatchObject({ authenticated: true, scopes: ['read'] });
    expect(await whoAmI(second, withCli)).toEqual({ authenticated: false });
    const redeemed = await second.app.inject({ url: link });
    expect([redeemed.statusCode, redeemed.headers.location]).toEqual([303, '/']);
    // A link's session has every scope and no key to revoke: it lasts a day, not a week.
    expect(String(redeemed.headers['set-cookie'])).toContain('Max-Age=86400');
    expect(await whoAmI(second, cookieOf(redeemed))).toMatchObject({ authenticated: true });

    // Revoking the key through the dashboard ends its session at once on this process.
    const admin = cookieOf(redeemed);
    const revoked = await second.app.inject({ method: 'DELETE', url: `/api/keys/${reader.record.id}`, headers: { cookie: admin } });
    expect(revoked.statusCode).toBe(204);
    expect(await whoAmI(second, withStored)).toEqual({ authenticated: false });
  });
});
