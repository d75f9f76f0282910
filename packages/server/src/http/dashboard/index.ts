// Wires the dashboard into a server: the session lookup the authenticator consults, and the public
// route groups (sign-in and the app; admin key management). server.ts calls createDashboard once.
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { Authenticator, Principal, SessionLookup } from '../auth.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { keysRoutes } from './keys-routes.js';
import { createDashboardSessions } from './sessions.js';
import { settingsRoutes } from './settings-routes.js';
import type { AlertingConfig } from '../../config/alerting-config.js';

/** packages/dashboard/dist, from src/http/dashboard or dist/http/dashboard alike. */
export const DEFAULT_DASHBOARD_DIST = fileURLToPath(new URL('../../../../dashboard/dist', import.meta.url));

export interface Dashboard {
  /** Hand to createAuthenticator({ session }) so the read API accepts the session cookie. */
  session: SessionLookup;
  /** Route groups for buildApp's publicPlugins: each does its own auth. */
  publicPlugins: ((app: FastifyInstance) => Promise<void>)[];
  /** A single-use sign-in path (`/signin/<token>`) that opens an all-scope session in the project. */
  createSignInPath(projectId: number): Promise<string>;
}

export function createDashboard(opts: {
  store: Store;
  now: () => number;
  /** The authenticator is built after the dashboard (it needs `session`), so it comes late. */
  authenticator: () => Authenticator;
  /** Alerting's configuration and channel counters, for the settings page (built after the dashboard). */
  alerting?: () => { config: AlertingConfig; counters: () => Record<string, { sent: number; failed: number; dropped: number }> };
  distDir?: string;
}): Dashboard {
  const sessions = createDashboardSessions({ store: opts.store, now: opts.now, verifyKeyHash: (hash) => opts.authenticator().authenticateKeyHash(hash) });
  const distDir = opts.distDir ?? DEFAULT_DASHBOARD_DIST;
  return {
    session: sessions.lookup,
    publicPlugins: [
      async (app) => dashboardRoutes(app, { sessions, auth: opts.authenticator(), distDir }),
      async (app) => keysRoutes(app, { store: opts.store, auth: opts.authenticator(), sessions }),
      ...(opts.alerting ? [async (app: FastifyInstance) => settingsRoutes(app, { auth: opts.authenticator(), store: opts.store, alerting: opts.alerting! })] : []),
    ],
    async createSignInPath(projectId) {
      const principal: Principal = { projectId, scopes: new Set(['ingest', 'read', 'admin']), keyId: 'sign-in-link' };
      return `/signin/${await sessions.createSignInToken(principal)}`;
    },
  };
}
