// Authentication and scopes. A request carries a Bearer key (or, for the dashboard, a session
// cookie); route groups declare the scope they need. Keys from the command line live only in
// memory; keys from the store are looked up by hash and cached briefly.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashesEqual, hashSecret, type Scope } from '@vigil/protocol';
import { ApiError } from './errors.js';

/** How long a verified key stays cached: a revoked key stops working within this time. */
export const KEY_CACHE_TTL_MS = 10_000;
const KEY_CACHE_MAX_ENTRIES = 10_000;

export interface Principal {
  projectId: number;
  scopes: ReadonlySet<Scope>;
  /** The key's public id ('cli' for keys given on the command line). */
  keyId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface Authenticator {
  /** Resolves the principal of a request, or null when it carries no valid credential. */
  authenticate(request: FastifyRequest): Promise<Principal | null>;
  /** Resolves the principal of a key secret (the dashboard's sign-in checks keys this way). */
  authenticateKey(secret: string): Promise<Principal | null>;
  /** The same from the secret's hash: a dashboard session re-checks its key this way. */
  authenticateKeyHash(hash: string): Promise<Principal | null>;
  /** Drops cached keys (after a revocation made in this process). */
  forget(): void;
}

/** The one thing auth needs of the key store: a stored, unrevoked key by its secret's hash. */
export interface ApiKeyVerifier {
  verifyApiKeyHash(hash: string): Promise<{ id: string; project_id: number; scopes: Scope[] } | null>;
}

export type SessionLookup = (request: FastifyRequest) => Promise<Principal | null>;

export function createAuthenticator(opts: {
  store: ApiKeyVerifier;
  /** Pre-provisioned keys: all scopes, in `defaultProjectId`. */
  staticKeys: string[];
  defaultProjectId: number;
  now?: () => number;
  session?: SessionLookup;
}): Authenticator {
  const now = opts.now ?? Date.now;
  const staticHashes = opts.staticKeys.map(hashSecret);
  const allScopes: ReadonlySet<Scope> = new Set<Scope>(['ingest', 'read', 'admin']);
  const cache = new Map<string, { principal: Principal | null; until: number }>();

  async function fromHash(hash: string): Promise<Principal | null> {
    if (staticHashes.some((h) => hashesEqual(h, hash))) return { projectId: opts.defaultProjectId, scopes: allScopes, keyId: 'cli' };
    const hit = cache.get(hash);
    if (hit && hit.until > now()) return hit.principal;
    const record = await opts.store.verifyApiKeyHash(hash);
    const principal = record ? { projectId: record.project_id, scopes: new Set(record.scopes), keyId: record.id } : null;
    if (cache.size >= KEY_CACHE_MAX_ENTRIES) cache.clear();
    cache.set(hash, { principal, until: now() + KEY_CACHE_TTL_MS });
    return principal;
  }
  const fromKey = (secret: string): Promise<Principal | null> => fromHash(hashSecret(secret));

  return {
    async authenticate(request) {
      const header = request.headers.authorization;
      if (header) {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
        return match?.[1] ? fromKey(match[1]) : null;
      }
      return opts.session ? opts.session(request) : null;
    },
    authenticateKey: fromKey,
    authenticateKeyHash: fromHash,
    forget() {
      cache.clear();
    },
  };
}

/** An onRequest hook for a route group: 401 without a valid credential, 403 without the scope. */
export function requireScope(auth: Authenticator, scope: Scope) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const principal = await auth.authenticate(request);
    if (!principal) throw new ApiError('UNAUTHORIZED');
    // admin implies every scope: an admin key can do what the dashboard's settings page does.
    if (!principal.scopes.has(scope) && !principal.scopes.has('admin')) {
      throw new ApiError('FORBIDDEN', `this API key lacks the '${scope}' scope`);
    }
    request.principal = principal;
  };
}
