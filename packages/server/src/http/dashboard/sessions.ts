// Dashboard sessions: a read or admin key (or a one-time sign-in link) is exchanged for a random
// session id kept in an HttpOnly cookie. This file holds the sessions and links; it sets no
// cookies and registers no routes (dashboard-routes.ts does).
//
// Sessions live in this process's memory: a restart signs everyone out, and several replicas
// behind a load balancer need sticky sessions for the dashboard. That is the price of not adding
// a sessions table to the Store contract; the read API itself stays stateless (Bearer keys).
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { parse as parseCookie } from 'cookie';
import { hashSecret } from '../../store/api-key-secret.js';
import type { Scope } from '../../store/store.js';
import type { Principal, SessionLookup } from '../auth.js';

export const SESSION_COOKIE = 'vigil_session';
/** A session ends this long after sign-in, however active it was. */
export const SESSION_TTL_MS = 7 * 24 * 3600_000;
/** A printed sign-in link works once, within this time. */
export const SIGN_IN_LINK_TTL_MS = 24 * 3600_000;
/** Bounds memory if something signs in in a loop; the oldest sessions go first. */
const MAX_SESSIONS = 10_000;
const MAX_LINKS = 100;

interface Session {
  /**
   * The key the session was opened with. It is checked again (through the authenticator's short
   * cache) on each request, so revoking the key ends its sessions within KEY_CACHE_TTL_MS.
   * Null for sessions opened by a sign-in link, which carry their principal instead.
   */
  keySecret: string | null;
  principal: Principal;
  expiresAt: number;
}

export interface DashboardSessions {
  /** Opens a session for a verified key; returns the cookie value. */
  openWithKey(secret: string, principal: Principal): { id: string; expiresAt: number };
  /** Creates a single-use sign-in token for `principal` (the CLI prints it as a link). */
  createSignInToken(principal: Principal): string;
  /** Consumes a sign-in token and opens a session; null when unknown, used or expired. */
  redeemSignInToken(token: string): { id: string; expiresAt: number } | null;
  close(id: string): void;
  /** Ends every session opened with this key id (the key was revoked here). */
  closeForKey(keyId: string): void;
  /** The SessionLookup handed to createAuthenticator: reads the cookie of a request. */
  lookup: SessionLookup;
}

const newId = (): string => randomBytes(32).toString('base64url');

export function createDashboardSessions(opts: {
  now: () => number;
  /** Verifies a key again (the authenticator's own check, with its cache). */
  verifyKey: (secret: string) => Promise<Principal | null>;
}): DashboardSessions {
  // Keyed by the hash of the id, so a heap dump does not hand out live cookies.
  const sessions = new Map<string, Session>();
  const links = new Map<string, { principal: Principal; expiresAt: number }>();

  function open(session: Omit<Session, 'expiresAt'>): { id: string; expiresAt: number } {
    if (sessions.size >= MAX_SESSIONS) {
      const oldest = sessions.keys().next();
      if (!oldest.done) sessions.delete(oldest.value);
    }
    const id = newId();
    const expiresAt = opts.now() + SESSION_TTL_MS;
    sessions.set(hashSecret(id), { ...session, expiresAt });
    return { id, expiresAt };
  }

  return {
    openWithKey(secret, principal) {
      return open({ keySecret: secret, principal });
    },
    createSignInToken(principal) {
      if (links.size >= MAX_LINKS) {
        const oldest = links.keys().next();
        if (!oldest.done) links.delete(oldest.value);
      }
      const token = newId();
      links.set(hashSecret(token), { principal, expiresAt: opts.now() + SIGN_IN_LINK_TTL_MS });
      return token;
    },
    redeemSignInToken(token) {
      const key = hashSecret(token);
      const link = links.get(key);
      links.delete(key);
      if (!link || link.expiresAt <= opts.now()) return null;
      return open({ keySecret: null, principal: link.principal });
    },
    close(id) {
      sessions.delete(hashSecret(id));
    },
    closeForKey(keyId) {
      for (const [k, s] of sessions) if (s.principal.keyId === keyId) sessions.delete(k);
    },
    async lookup(request: FastifyRequest) {
      const header = request.headers.cookie;
      if (!header) return null;
      const id = parseCookie(header)[SESSION_COOKIE];
      if (!id) return null;
      const key = hashSecret(id);
      const session = sessions.get(key);
      if (!session) return null;
      if (session.expiresAt <= opts.now()) {
        sessions.delete(key);
        return null;
      }
      if (session.keySecret === null) return session.principal;
      const principal = await opts.verifyKey(session.keySecret);
      if (!principal) sessions.delete(key);
      return principal;
    },
  };
}

/** Scopes that may open a dashboard session: the dashboard only reads, or administers keys. */
export function canUseDashboard(scopes: ReadonlySet<Scope>): boolean {
  return scopes.has('read') || scopes.has('admin');
}
