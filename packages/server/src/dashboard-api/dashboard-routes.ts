// The dashboard's public routes: sign-in (key → session cookie, one-time links), sign-out, who am
// I, and the built single-page app (packages/dashboard/dist). It reads no run data: the app
// fetches that from the read API, which accepts the session cookie through the authenticator.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { parse as parseCookie, serialize as serializeCookie } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator, Principal } from '../web/auth.js';
import { ApiError, validationError } from '../web/errors.js';
import { canUseDashboard, LINK_SESSION_TTL_MS, SESSION_COOKIE, SESSION_TTL_MS, type DashboardSessions } from './sessions.js';

/** Paths the single-page app routes itself; each answers with index.html. */
export const APP_ROUTES = ['/', '/signin', '/agents/*', '/runs', '/runs/*', '/alerts', '/settings'];

/**
 * The app loads only its own scripts and styles and talks only to this origin. uPlot and Preact set
 * styles through the CSSOM, which CSP allows without 'unsafe-inline'. No referrer, so a sign-in
 * link in the address bar never leaks to another site.
 */
const APP_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>Vigil</title>
<p>The dashboard has not been built. Run <code>npm run build</code> and restart the server.</p>`;

export interface DashboardRouteDeps {
  sessions: DashboardSessions;
  auth: Authenticator;
  /** The built app (packages/dashboard/dist); a placeholder page is served when it is missing. */
  distDir: string;
}

function sessionCookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  return serializeCookie(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: request.protocol === 'https',
    maxAge: maxAgeSeconds,
  });
}

const whoAmI = (p: Principal) => ({ project_id: p.projectId, key_id: p.keyId, scopes: [...p.scopes].sort() });

export async function dashboardRoutes(app: FastifyInstance, deps: DashboardRouteDeps): Promise<void> {
  app.post('/api/session', async (request, reply) => {
    const body = request.body as { key?: unknown } | null;
    const key = body && typeof body === 'object' ? body.key : undefined;
    if (typeof key !== 'string' || key.trim() === '') throw validationError([{ path: '/key', message: 'must be an API key' }]);
    const principal = await deps.auth.authenticateKey(key.trim());
    if (!principal) throw new ApiError('UNAUTHORIZED', 'this API key is not valid (unknown or revoked)');
    if (!canUseDashboard(principal.scopes)) throw new ApiError('FORBIDDEN', "the dashboard needs a key with the 'read' or 'admin' scope");
    const session = await deps.sessions.openWithKey(key.trim(), principal);
    void reply.header('set-cookie', sessionCookie(request, session.id, SESSION_TTL_MS / 1000));
    return { authenticated: true, ...whoAmI(principal) };
  });

  // Who am I: 200 either way, so the app's first look at its session is not a failed request.
  app.get('/api/session', async (request) => {
    const principal = await deps.auth.authenticate(request);
    if (!principal || !canUseDashboard(principal.scopes)) return { authenticated: false };
    return { authenticated: true, ...whoAmI(principal) };
  });

  app.delete('/api/session', async (request, reply) => {
    const id = request.headers.cookie ? parseCookie(request.headers.cookie)[SESSION_COOKIE] : undefined;
    if (id) await deps.sessions.close(id);
    return reply.header('set-cookie', sessionCookie(request, '', 0)).status(204).send();
  });

  // The link the start command prints: single use, then a plain cookie session.
  app.get<{ Params: { token: string } }>('/signin/:token', async (request, reply) => {
    void reply.headers({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    const session = await deps.sessions.redeemSignInToken(request.params.token);
    if (!session) return reply.redirect('/signin?error=link', 303);
    return reply.header('set-cookie', sessionCookie(request, session.id, LINK_SESSION_TTL_MS / 1000)).redirect('/', 303);
  });

  const indexFile = join(deps.distDir, 'index.html');
  const built = existsSync(indexFile);
  // Read on each page load (it is half a kilobyte): a rebuild renames the hashed assets, and a
  // cached index.html would point at files that no longer exist.
  const sendApp = async (_request: FastifyRequest, reply: FastifyReply) => {
    const html = existsSync(indexFile) ? await readFile(indexFile, 'utf8') : NOT_BUILT_PAGE;
    return reply.headers(APP_HEADERS).type('text/html; charset=utf-8').send(html);
  };
  for (const path of APP_ROUTES) app.get(path, sendApp);

  if (built) {
    // Vite names assets by content hash, so they can be cached for good.
    await app.register(fastifyStatic, {
      root: join(deps.distDir, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      index: false,
      wildcard: true,
      decorateReply: false,
    });
    if (existsSync(join(deps.distDir, 'favicon.svg'))) {
      const favicon = readFileSync(join(deps.distDir, 'favicon.svg'));
      app.get('/favicon.svg', async (_request, reply) => reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(favicon));
    }
  }
}
