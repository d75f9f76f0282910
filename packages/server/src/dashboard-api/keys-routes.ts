// API key management for the dashboard's settings page (admin scope): list, create with scopes,
// revoke. Keys never cross projects: each route sees only the caller's project. A secret is
// returned once, at creation; afterwards only its public id is shown.
import type { FastifyInstance } from 'fastify';
import type { Issue } from '@vigil/protocol';
import type { ApiKeyRecord, Scope, ApiKeyStore } from '../store/store.js';
import { SCOPES } from '../store/store.js';
import { requireScope, type Authenticator } from '../web/auth.js';
import { ApiError, validationError } from '../web/errors.js';
import type { DashboardSessions } from './sessions.js';

export const MAX_KEY_NAME_LENGTH = 200;

const keyJson = (k: ApiKeyRecord) => ({
  id: k.id,
  name: k.name,
  scopes: k.scopes,
  created_at: new Date(k.created_at).toISOString(),
  revoked_at: k.revoked_at === null ? null : new Date(k.revoked_at).toISOString(),
});

function parseNewKey(body: unknown): { name: string; scopes: Scope[] } {
  const issues: Issue[] = [];
  const b = (typeof body === 'object' && body !== null ? body : {}) as { name?: unknown; scopes?: unknown };
  if (typeof b.name !== 'string' || b.name.trim() === '' || b.name.length > MAX_KEY_NAME_LENGTH) {
    issues.push({ path: '/name', message: `must be a name of 1 to ${MAX_KEY_NAME_LENGTH} characters` });
  }
  if (!Array.isArray(b.scopes) || b.scopes.length === 0) {
    issues.push({ path: '/scopes', message: `must be a non-empty list of ${SCOPES.join(', ')}` });
  } else {
    b.scopes.forEach((s, i) => {
      if (!SCOPES.includes(s as Scope)) issues.push({ path: `/scopes/${i}`, message: `must be one of ${SCOPES.join(', ')}` });
    });
  }
  if (issues.length > 0) throw validationError(issues);
  return { name: (b.name as string).trim(), scopes: [...new Set(b.scopes as Scope[])] };
}

export async function keysRoutes(app: FastifyInstance, deps: { store: ApiKeyStore; auth: Authenticator; sessions: DashboardSessions }): Promise<void> {
  app.addHook('onRequest', requireScope(deps.auth, 'admin'));

  app.get('/api/keys', async (request) => {
    const keys = await deps.store.listApiKeys(request.principal!.projectId);
    keys.sort((a, b) => b.created_at - a.created_at);
    return { keys: keys.map(keyJson) };
  });

  app.post('/api/keys', async (request, reply) => {
    const input = parseNewKey(request.body);
    const created = await deps.store.createApiKey({ projectId: request.principal!.projectId, ...input });
    return reply.status(201).send({ key: keyJson(created.record), secret: created.key });
  });

  app.delete<{ Params: { key_id: string } }>('/api/keys/:key_id', async (request, reply) => {
    const id = request.params.key_id;
    const mine = (await deps.store.listApiKeys(request.principal!.projectId)).find((k) => k.id === id && k.revoked_at === null);
    if (!mine) throw new ApiError('NOT_FOUND', `no active key with id '${id}' in this project`);
    await deps.store.revokeApiKey(id);
    // Effective at once in this process; other replicas drop it within KEY_CACHE_TTL_MS.
    deps.auth.forget();
    await deps.sessions.closeForKey(id);
    return reply.status(204).send();
  });
}
