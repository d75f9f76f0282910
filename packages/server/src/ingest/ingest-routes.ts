// Ingest routes: the seed's POST /metrics, the batch POST /v1/runs and agent registration.
// Each validates the whole body first, so a bad item rejects its request and stores nothing.
import type { FastifyInstance } from 'fastify';
import { validateAgentConfig, validateRunBatch, validateSeedPayload, type Run } from '@vigil/protocol';
import type { Authenticator } from '../web/auth.js';
import { requireScope } from '../web/auth.js';
import { validationError } from '../web/errors.js';
import type { RunWriter } from '../store/store.js';
import { normalizeRuns, type PriceFn } from './normalize.js';

export interface IngestDeps {
  store: RunWriter;
  auth: Authenticator;
  price: PriceFn | null;
  now: () => number;
  /** Told about every accepted run (self-metrics, live views); must not throw. */
  onAccepted?: (count: number) => void;
  onRejected?: (code: string) => void;
}

export async function ingestRoutes(app: FastifyInstance, deps: IngestDeps): Promise<void> {
  app.addHook('onRequest', requireScope(deps.auth, 'ingest'));
  app.addHook('onError', async (_request, _reply, error) => {
    deps.onRejected?.((error as { code?: string }).code ?? 'INTERNAL');
  });

  const store = async (projectId: number, runs: Run[], pathOf: (i: number) => string) => {
    const normalized = normalizeRuns(runs, deps.now(), pathOf, deps.price);
    if (!normalized.ok) throw validationError(normalized.issues);
    // Last copy of a run_id in one request wins, as it would across requests.
    const unique = new Map(normalized.runs.map((r) => [r.run_id, r]));
    const result = await deps.store.writeRuns(projectId, [...unique.values()]);
    deps.onAccepted?.(result.accepted);
    return { accepted: result.accepted };
  };

  app.post('/metrics', async (request) => {
    const v = validateSeedPayload(request.body);
    if (!v.ok) throw validationError(v.issues);
    const isArray = Array.isArray(request.body);
    return store(request.principal!.projectId, v.value, (i) => (isArray ? `/${i}` : ''));
  });

  app.post('/v1/runs', async (request) => {
    const v = validateRunBatch(request.body);
    if (!v.ok) throw validationError(v.issues);
    return store(request.principal!.projectId, v.value.runs, (i) => `/runs/${i}`);
  });

  app.post('/v1/agents', async (request) => {
    const v = validateAgentConfig(request.body);
    if (!v.ok) throw validationError(v.issues);
    await deps.store.upsertAgent(request.principal!.projectId, v.value);
    return { agent_name: v.value.name, registered: true };
  });
}
