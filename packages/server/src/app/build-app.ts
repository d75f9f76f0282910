// Builds the Fastify app from its parts without listening: tests call inject(), the CLI listens.
// Route groups are plugins, each with its own auth hook; health routes sit outside them all.
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { ingestRoutes } from '../ingest/ingest-routes.js';
import type { PriceFn } from '../ingest/normalize.js';
import { runsRoutes } from '../query/runs-routes.js';
import type { Store } from '../store/store.js';
import { requireScope, type Authenticator } from '../web/auth.js';
import { registerContentDecoding, registerJsonParser } from '../web/body-parsing.js';
import { registerErrorHandler } from '../web/error-handler.js';
import { healthRoutes } from './health-routes.js';

export interface AppDeps {
  store: Store;
  auth: Authenticator;
  bodyLimitBytes: number;
  logger: FastifyServerOptions['logger'];
  now: () => number;
  price: PriceFn | null;
  isDraining: () => boolean;
  /** Extra route groups that need a read key (analytics, alerts, dashboard API). */
  readPlugins?: ((app: FastifyInstance) => Promise<void>)[];
  /** Extra route groups that need an ingest key (OTLP). */
  ingestPlugins?: ((app: FastifyInstance) => Promise<void>)[];
  /** Route groups that do their own auth (dashboard assets and sign-in, /metrics). */
  publicPlugins?: ((app: FastifyInstance) => Promise<void>)[];
  onAccepted?: (count: number) => void;
  onRejected?: (code: string) => void;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger,
    bodyLimit: deps.bodyLimitBytes,
    // Drain: on close, idle keep-alive sockets are closed, in-flight requests finish.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    requestIdHeader: 'x-request-id',
    // Per-request lines would dominate the log at ingest rates; errors are logged by the handler.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.decorateRequest('principal', null);
  registerContentDecoding(app);
  app.removeAllContentTypeParsers();
  registerJsonParser(app);
  registerErrorHandler(app);

  await app.register(async (scope) => healthRoutes(scope, { store: deps.store, isDraining: deps.isDraining }));
  await app.register(async (scope) => {
    await ingestRoutes(scope, {
      store: deps.store, auth: deps.auth, price: deps.price, now: deps.now,
      onAccepted: deps.onAccepted, onRejected: deps.onRejected,
    });
    for (const plugin of deps.ingestPlugins ?? []) await scope.register(plugin);
  });
  await app.register(async (scope) => {
    scope.addHook('onRequest', requireScope(deps.auth, 'read'));
    await runsRoutes(scope, { store: deps.store, now: deps.now });
    for (const plugin of deps.readPlugins ?? []) await scope.register(plugin);
  });
  for (const plugin of deps.publicPlugins ?? []) await app.register(plugin);
  return app;
}
