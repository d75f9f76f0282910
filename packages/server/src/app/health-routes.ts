// Liveness and readiness, outside every auth scope so load balancers can probe them.
import type { FastifyInstance } from 'fastify';
import type { StoreLifecycle } from '../store/store.js';

/** A readiness probe that waits longer than this on the database answers 503. */
export const READY_TIMEOUT_MS = 2_000;

export async function healthRoutes(app: FastifyInstance, deps: { store: StoreLifecycle; isDraining: () => boolean }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (deps.isDraining()) return reply.status(503).send({ status: 'draining' });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        deps.store.ping(),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('database ping timed out')), READY_TIMEOUT_MS); }),
      ]);
      return { status: 'ready', store: deps.store.engine };
    } catch (e) {
      return reply.status(503).header('retry-after', '5').send({ status: 'unavailable', reason: (e as Error).message });
    } finally {
      clearTimeout(timer);
    }
  });
}
