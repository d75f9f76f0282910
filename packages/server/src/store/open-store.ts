// Chooses the store engine from the options: PostgreSQL when a database URL is given, else SQLite.
import { createSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export async function openStore(opts: { db: string; databaseUrl: string | null }): Promise<Store> {
  if (opts.databaseUrl) {
    throw new Error('PostgreSQL is not available in this build yet; use --db for SQLite');
  }
  return createSqliteStore({ path: opts.db });
}
