// Assembles one Vigil server: store, migrations, default project, keys, the HTTP app. Both the
// CLI and tests use it; it never listens by itself.
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { defaultConfig, type VigilConfig } from './config/vigil-config.js';
import { createAuthenticator, type Authenticator } from './http/auth.js';
import { buildApp } from './http/build-app.js';
import { createSqliteStore } from './store/sqlite/sqlite-store.js';
import type { Project, Store } from './store/store.js';

export const DEFAULT_PROJECT = 'default';

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
}

export interface VigilServer {
  app: FastifyInstance;
  store: Store;
  auth: Authenticator;
  config: VigilConfig;
  defaultProject: Project;
  /** The admin key created on first start (no key configured, none stored); shown once. */
  initialAdminKey: string | null;
  /** Stops taking requests, lets in-flight ones finish, drains the write queue, closes the store. */
  close(): Promise<void>;
}

export async function createVigilServer(options: VigilServerOptions = {}): Promise<VigilServer> {
  const now = options.now ?? Date.now;
  const config = options.config ?? defaultConfig();
  const store = options.store ?? createSqliteStore({ path: options.db ?? ':memory:', now });
  await store.migrate();
  const defaultProject = await store.ensureProject(DEFAULT_PROJECT);
  const apiKeys = options.apiKeys ?? [];

  let initialAdminKey: string | null = null;
  if (apiKeys.length === 0 && (await store.countActiveApiKeys()) === 0) {
    const created = await store.createApiKey({ projectId: defaultProject.id, name: 'initial admin key', scopes: ['admin', 'read', 'ingest'] });
    initialAdminKey = created.key;
  }

  const auth = createAuthenticator({ store, staticKeys: apiKeys, defaultProjectId: defaultProject.id, now });
  let draining = false;
  const app = await buildApp({
    store,
    auth,
    bodyLimitBytes: config.limits.bodyLimitBytes,
    logger: options.logger ?? false,
    now,
    price: null,
    isDraining: () => draining,
  });

  let closing: Promise<void> | null = null;
  return {
    app,
    store,
    auth,
    config,
    defaultProject,
    initialAdminKey,
    close() {
      closing ??= (async () => {
        draining = true;
        await app.close();
        await store.close();
      })();
      return closing;
    },
  };
}
