// Dashboard sessions: a read or admin key (or a one-time sign-in link) is exchanged for a random
// session id kept in an HttpOnly cookie. This file opens, finds and ends sessions and links; it
// sets no cookies and registers no routes (dashboard-routes.ts does).
//
// Sessions and links live in the store, so every replica behind a load balancer knows them and a
// restart signs nobody out; the store sees only hashes of ids, tokens and keys. A session opened
// with a key re-checks that key (by its hash, through the authenticator's short cache) on use, so
// revoking the key, or dropping a command-line key, ends its sessions.
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { parse as parseCookie } from 'cookie';
import { hashSecret } from '@vigil/protocol';
import type { DashboardSessionRow, Scope, SessionStore } from '../store/store.js';
import type { Principal, SessionLookup } from '../web/auth.js';

export const SESSION_COOKIE = 'vigil_session';
/** A session ends this long after sign-in, however active it was. */
export const SESSION_TTL_MS = 7 * 24 * 3600_000;
/** A printed sign-in link works once, within this time. */
export const SIGN_IN_LINK_TTL_MS = 24 * 3600_000;
/**
 * A session opened by a link has every scope and no key that could be revoked, so it lasts a day
 * rather than a week (signing out ends it at once).
 */
export const LINK_SESSION_TTL_MS = 24 * 3600_000;
/**
 * A session read from the store is reused this long by this process, so a page's burst of API
 * calls costs one read. Signing out elsewhere reaches this process within this time.
 */
export const SESSION_CACHE_TTL_MS = 5_000;
const SESSION_CACHE_MAX_ENTRIES = 10_000;

export interface DashboardSessions {
  /** Opens a session for a verified key; returns the cookie value. */
  openWithKey(secret: string, principal: Principal): Promise<{ id: string; expiresAt: number }>;
  /** Creates a single-use sign-in token for `principal` (the CLI prints it as a link). */
  createSignInToken(principal: Principal): Promise<string>;
  /** Consumes a sign-in token and opens a session; null when unknown, used or expired. */
  redeemSignInToken(token: string): Promise<{ id: string; expiresAt: number } | null>;
  close(id: string): Promise<void>;
  /** Ends every session opened with this key id (the key was revoked here). */
  closeForKey(keyId: string): Promise<void>;
  /** The SessionLookup handed to createAuthenticator: reads the cookie of a request. */
  lookup: SessionLookup;
}

const newId = (): string => randomBytes(32).toString('base64url');

export function createDashboardSessions(opts: {
  store: SessionStore;
  now: () => number;
  /** Verifies a key again from its hash (the authenticator's own check, with its cache). */
  verifyKeyHash: (hash: string) => Promise<Principal | null>;
}): DashboardSessions {
  const cache = new Map<string, { row: DashboardSessionRow | null; until: number }>();

  async function open(from: Omit<DashboardSessionRow, 'id_hash' | 'expires_at'>, ttlMs: number): Promise<{ id: string; expiresAt: number }> {
    const id = newId();
    const expiresAt = opts.now() + ttlMs;
    await opts.store.putDashboardSession({ ...from, id_hash: hashSecret(id), expires_at: expiresAt }, opts.now());
    return { id, expiresAt };
  }

  async function find(idHash: string): Promise<DashboardSessionRow | null> {
    const hit = cache.get(idHash);
    if (hit && hit.until > opts.now()) return hit.row;
    const row = await opts.store.getDashboardSession(idHash);
    if (cache.size >= SESSION_CACHE_MAX_ENTRIES) cache.clear();
    cache.set(idHash, { row, until: opts.now() + SESSION_CACHE_TTL_MS });
    return row;
  }

  return {
    openWithKey(secret, principal) {
      return open({ project_id: principal.projectId, key_id: principal.keyId, key_hash: hashSecret(secret), scopes: [...principal.scopes] }, SESSION_TTL_MS);
    },
    async createSignInToken(principal) {
      const token = newId();
      const link = {
        id_hash: hashSecret(token), project_id: principal.projectId, key_id: principal.keyId, key_hash: null,
        scopes: [...principal.scopes], expires_at: opts.now() + SIGN_IN_LINK_TTL_MS,
      };
      await opts.store.putSignInLink(link, opts.now());
      return token;
    },
    async redeemSignInToken(token) {
      const link = await opts.store.takeSignInLink(hashSecret(token));
      if (!link || link.expires_at <= opts.now()) return null;
      return open({ project_id: link.project_id, key_id: link.key_id, key_hash: null, scopes: link.scopes }, LINK_SESSION_TTL_MS);
    },
    async close(id) {
      const idHash = hashSecret(id);
      cache.delete(idHash);
      await opts.store.deleteDashboardSession(idHash);
    },
    async closeForKey(keyId) {
      for (const [k, v] of cache) if (v.row?.key_id === keyId) cache.delete(k);
      await opts.store.deleteDashboardSessionsForKey(keyId);
    },
    async lookup(request: FastifyRequest) {
      const header = request.headers.cookie;
      if (!header) return null;
      const id = parseCookie(header)[SESSION_COOKIE];
      if (!id) return null;
      const session = await find(hashSecret(id));
      if (!session || session.expires_at <= opts.now()) return null;
      if (session.key_hash === null) return { projectId: session.project_id, scopes: new Set<Scope>(session.scopes), keyId: session.key_id };
      return opts.verifyKeyHash(session.key_hash);
    },
  };
}

/** Scopes that may open a dashboard session: the dashboard only reads, or administers keys. */
export function canUseDashboard(scopes: ReadonlySet<Scope>): boolean {
  return scopes.has('read') || scopes.has('admin');
}
