// Chooses the store engine from the options: PostgreSQL when a database URL is given (flag or
// environment first, else vigil.yaml's database.url), else SQLite.
import { createPostgresStore } from './postgres/postgres-store.js';
import { parseDatabaseSection, type DatabaseConfig } from './postgres/postgres-config.js';
import { createSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';
import type { VigilConfig } from '../config/vigil-config.js';

/** The database section of a loaded config (defaults when absent); errors name file and line. */
export function databaseConfigOf(config: VigilConfig | null | undefined): DatabaseConfig {
  return parseDatabaseSection(config?.sections.database, config?.source ?? null);
}

export async function openStore(opts: { db: string; databaseUrl: string | null }, config?: VigilConfig | null): Promise<Store> {
  const database = databaseConfigOf(config);
  const url = opts.databaseUrl ?? database.url;
  if (url) {
    return createPostgresStore({
      url,
      schema: database.schema,
      poolSize: database.poolSize,
      connectTimeoutMs: database.connectTimeoutMs,
      statementTimeoutMs: database.statementTimeoutMs,
    });
  }
  return createSqliteStore({ path: opts.db });
}
