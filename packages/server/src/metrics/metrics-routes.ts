// GET /metrics: the Prometheus text exposition. A read key (Prometheus's `authorization` scrape
// setting) selects its project; with `metrics.public: true` no key is needed and an anonymous
// scrape sees the default project. POST /metrics (ingest) is a different route in another scope.
import type { FastifyInstance } from 'fastify';
import { requireScope, type Authenticator } from '../web/auth.js';
import type { FleetMetrics } from './fleet-metrics.js';
import type { SelfMetrics } from './self-metrics.js';

export interface MetricsRouteDeps {
  auth: Authenticator;
  fleet: FleetMetrics;
  self: SelfMetrics;
  public: boolean;
  defaultProjectId: number;
}

export async function metricsRoutes(app: FastifyInstance, deps: MetricsRouteDeps): Promise<void> {
  const needRead = requireScope(deps.auth, 'read');
  app.get('/metrics', async (request, reply) => {
    let projectId = deps.defaultProjectId;
    if (!deps.public || request.headers.authorization) {
      await needRead(request, reply);
      projectId = request.principal!.projectId;
    }
    const parts = await Promise.all([
      deps.fleet.registry(projectId).metrics(),
      deps.self.projectGauges(projectId),
      deps.self.text(),
    ]);
    reply.header('content-type', deps.self.registry.contentType);
    return parts.filter((p) => p.length > 0).map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
  });
}
