// Wires the dashboard into a server: the session lookup the authenticator consults, and the public
// route groups (sign-in and the app; admin key management). app/server.ts calls createDashboard
// once; the settings page's alerting routes belong to alerting/ and are added there.
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { SessionStore, ApiKeyStore } from '../store/store.js';
import type { Authenticator, Principal, SessionLookup } from '../web/auth.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { keysRoutes } from './keys-routes.js';
import { createDashboardSessions } from './sessions.js';

/** packages/dashboard/dist, from src/dashboard-api or dist/dashboard-api alike. */
export const DEFAULT_DASHBOARD_DIST = fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));

export interface Dashboard {
  /** Hand to createAuthenticator({ session }) so the read API accepts the session cookie. */
  session: SessionLookup;
  /** Route groups for buildApp's publicPlugins: each does its own auth. */
  publicPlugins: ((app: FastifyInstance) => Promise<void>)[];
  /** A single-use sign-in path (`/signin/<token>`) that opens an all-scope session in the project. */
  createSignInPath(projectId: number): Promise<string>;
}

export function createDashboard(opts: {
  store: SessionStore & ApiKeyStore;
  now: () => number;
  /** The authenticator is built after the dashboard (it needs `session`), so it comes late. */
  authenticator: () => Authenticator;
  distDir?: string;
}): Dashboard {
  const sessions = createDashboardSessions({ store: opts.store, now: opts.now, verifyKeyHash: (hash) => opts.authenticator().authenticateKeyHash(hash) });
  const distDir = opts.distDir ?? DEFAULT_DASHBOARD_DIST;
  return {
    session: sessions.lookup,
    publicPlugins: [
      async (app) => dashboardRoutes(app, { sessions, auth: opts.authenticator(), distDir }),
      async (app) => keysRoutes(app, { store: opts.store, auth: opts.authenticator(), sessions }),
    ],
    async createSignInPath(projectId) {
      const principal: Principal = { projectId, scopes: new Set(['ingest', 'read', 'admin']), keyId: 'sign-in-link' };
      return `/signin/${await sessions.createSignInToken(principal)}`;
    },
  };
}
