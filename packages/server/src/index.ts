// Public surface of @vigil/server, for the CLI, tests and embedding.
export { createVigilServer, DEFAULT_PROJECT, type VigilServer, type VigilServerOptions } from './app/server.js';
export { createSqliteStore } from './store/sqlite/sqlite-store.js';
export { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from './store/postgres/postgres-store.js';
export { openStore } from './store/open-store.js';
export type { Store, Scope, Project, ApiKeyRecord, RunFilter, RunPage } from './store/store.js';
export { loadConfigFile, parseConfig, defaultConfig, type VigilConfig } from './config/vigil-config.js';
export { ConfigError } from './config/config-error.js';
export { ERRORS, type ErrorCode } from './web/errors.js';
