// Assembles one Vigil server: store, migrations, default project, keys, the HTTP app. Both the
// CLI and tests use it; it never listens by itself.
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { defaultConfig, type VigilConfig } from '../config/vigil-config.js';
import { createAuthenticator, type Authenticator } from '../web/auth.js';
import { buildApp } from './build-app.js';
import { createOtlpIngest, type OtlpIngest } from '../ingest/otlp/otlp-ingest.js';
import { createDashboard, type Dashboard } from '../dashboard-api/index.js';
import { settingsRoutes } from '../alerting/settings-routes.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Project, Store } from '../store/store.js';
import { createFleetMetrics } from '../metrics/fleet-metrics.js';
import { metricsRoutes } from '../metrics/metrics-routes.js';
import { observeWrites } from '../metrics/observed-store.js';
import { createSelfMetrics, type SelfMetrics } from '../metrics/self-metrics.js';
import { createPriceTable, type PriceTable } from '../ingest/pricing/price-table.js';
import { parsePricingConfig } from '../ingest/pricing/pricing-config.js';
import { agentsRoutes } from '../query/agents-routes.js';
import { createRetentionWorker, parseRetentionConfig } from '../store/retention.js';
import { createAlertingService, registerAlertingMetrics, type AlertingService } from '../alerting/alerting-service.js';
import { parseAlertingConfig } from '../alerting/alerting-config.js';
import type { RetryOptions } from '../alerting/notify/retrying-transport.js';

export const DEFAULT_PROJECT = 'default';

/** How long a drain waits for in-flight requests before it cuts the remaining connections. */
export const DRAIN_TIMEOUT_MS = 10_000;

export interface VigilServerOptions {
  /** SQLite file path, or ':memory:'. Ignored when `store` is given. */
  db?: string;
  /** A store built by the caller (PostgreSQL, or a shared one in tests). */
  store?: Store;
  /** Pre-provisioned keys: all scopes, project `default`, kept in memory only. */
  apiKeys?: string[];
  config?: VigilConfig;
  logger?: FastifyServerOptions['logger'];
  now?: () => number;
  /** The built dashboard to serve (default: packages/dashboard/dist). */
  dashboardDir?: string;
  /**
   * Alerting: `start: false` leaves the evaluator stopped (tests step it with
   * `alerting.evaluator.evaluateOnce(t)`); `isLeader` replaces the store lease; `retry` tunes delivery.
   */
  alerting?: { start?: boolean; isLeader?: () => boolean; retry?: RetryOptions };
}

export interface VigilServer {
  app: FastifyInstance;
  store: Store;
  auth: Authenticator;
  config: VigilConfig;
  defaultProject: Project;
  /** The admin key created on first start (no key configured, none stored); shown once. */
  initialAdminKey: string | null;
  /** Sessions and sign-in links of the dashboard (the CLI prints a one-time link). */
  dashboard: Dashboard;
  /** OTLP ingest (POST /v1/traces); `otlp.sweep(now)` assembles traces whose root span never came. */
  otlp: OtlpIngest;
  /** Prices runs sent without cost_usd: OpenAI's table plus vigil.yaml's `pricing:`. */
  prices: PriceTable;
  /** Vigil's own vigil_* series on GET /metrics; alerting adds its gauges here (addProjectGauge). */
  metrics: SelfMetrics;
  /** Alert evaluation, notifications and silences (docs/alerting.md). */
  alerting: AlertingService;
  /** Stops taking requests, lets in-flight ones finish, drains the write queue, closes the store. */
  close(): Promise<void>;
}

export async function createVigilServer(options: VigilServerOptions = {}): Promise<VigilServer> {
  const now = options.now ?? Date.now;
  const config = options.config ?? defaultConfig();
  const prices = createPriceTable(parsePricingConfig(config));
  const retentionConfig = parseRetentionConfig(config);
  const alertingConfig = parseAlertingConfig(config);
  const metrics = createSelfMetrics();
  const fleetMetrics = createFleetMetrics();
  // Every committed run feeds the fleet series of GET /metrics, whichever ingest path wrote it.
  const store = observeWrites(options.store ?? createSqliteStore({ path: options.db ?? ':memory:', now }), fleetMetrics.observe);
  await store.migrate();
  const defaultProject = await store.ensureProject(DEFAULT_PROJECT);
  const apiKeys = options.apiKeys ?? [];

  let initialAdminKey: string | null = null;
  if (apiKeys.length === 0 && (await store.countActiveApiKeys()) === 0) {
    const created = await store.createApiKey({ projectId: defaultProject.id, name: 'initial admin key', scopes: ['admin', 'read', 'ingest'] });
    initialAdminKey = created.key;
  }

  const dashboard = createDashboard({
    store, now, authenticator: () => auth, distDir: options.dashboardDir,
  });
  const auth = createAuthenticator({ store, staticKeys: apiKeys, defaultProjectId: defaultProject.id, now, session: dashboard.session });
  let draining = false;
  const alerting = createAlertingService({
    store, config: alertingConfig, now, isLeader: options.alerting?.isLeader, retry: options.alerting?.retry,
    log: { warn: (o, m) => app.log.warn(o, m), error: (o, m) => app.log.error(o, m) },
  });
  registerAlertingMetrics(metrics, alerting, store);
  const otlp = createOtlpIngest({
    store, section: config.sections.otlp, source: config.source, defaultBodyLimitBytes: config.limits.bodyLimitBytes, price: prices.price, now,
  });
  const app = await buildApp({
    store,
    auth,
    bodyLimitBytes: config.limits.bodyLimitBytes,
    logger: options.logger ?? false,
    now,
    price: prices.price,
    isDraining: () => draining,
    readPlugins: [async (scope) => agentsRoutes(scope, { store, now }), alerting.routes(auth)],
    onAccepted: (count) => metrics.runsAccepted.inc(count),
    onRejected: (code) => metrics.ingestRejected.inc({ code }),
    ingestPlugins: [otlp.plugin],
    publicPlugins: [
      ...dashboard.publicPlugins,
      async (scope) => settingsRoutes(scope, { auth, store, alerting: () => ({ config: alerting.config, counters: () => alerting.notifier.counters() }) }),
      async (scope) => metricsRoutes(scope, { auth, fleet: fleetMetrics, self: metrics, public: config.metrics.public, defaultProjectId: defaultProject.id }),
    ],
  });
  const retention = createRetentionWorker({
    store, config: retentionConfig, now, schedule: true,
    onSwept: (r) => {
      metrics.retentionDeleted.inc({ kind: 'runs' }, r.runs);
      metrics.retentionDeleted.inc({ kind: 'rollups' }, r.rollups);
    },
    onError: (e) => app.log.error(e, 'retention sweep failed'),
  });

  if (options.alerting?.start !== false) alerting.start();

  // Counted from the raw response's close, which fires for finished and aborted requests alike.
  let inFlight = 0;
  app.addHook('onRequest', async (_request, reply) => {
    inFlight += 1;
    reply.raw.once('close', () => { inFlight -= 1; });
  });

  let closing: Promise<void> | null = null;
  return {
    app,
    store,
    auth,
    config,
    defaultProject,
    initialAdminKey,
    dashboard,
    otlp,
    prices,
    metrics,
    alerting,
    close() {
      closing ??= (async () => {
        draining = true;
        const closed = app.close();
        // Keep-alive connections can outlive close(); once no request is in flight, cut them.
        const deadline = Date.now() + DRAIN_TIMEOUT_MS;
        while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        app.server.closeAllConnections();
        await closed;
        await retention.stop();
        await alerting.close();
        await store.close();
      })();
      return closing;
    },
  };
}
