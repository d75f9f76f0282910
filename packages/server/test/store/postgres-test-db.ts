// Finds the test PostgreSQL server and hands each test its own schema, so test files (and
// engineers) running at once never see each other's rows. Skips loudly when no server answers;
// in CI (CI set) a missing server is a failure, not a skip.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/postgres-store.js';

export const TEST_DATABASE_URL = process.env.VIGIL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Null when reachable, else why not. Probed once per test file. */
export async function postgresUnreachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (e) {
    const why = `PostgreSQL not reachable at ${TEST_DATABASE_URL} (${(e as Error).message})`;
    if (process.env.CI) throw new Error(`${why}; CI must provide it`, { cause: e });
    console.warn(`SKIPPED: ${why}. Start PostgreSQL or set VIGIL_TEST_DATABASE_URL to run these tests.`);
    return why;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function uniqueSchemaName(prefix = 'vt'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** A fresh schema; open() makes stores on it (several may share it, like replicas). */
export function testSchema(options: Omit<PostgresStoreOptions, 'url' | 'schema'> = {}, url = TEST_DATABASE_URL) {
  const schema = uniqueSchemaName();
  const opened: PostgresStore[] = [];
  return {
    schema,
    url,
    open(extra: Omit<PostgresStoreOptions, 'url' | 'schema'> = {}): PostgresStore {
      const store = createPostgresStore({ url, schema, poolSize: 4, ...options, ...extra });
      opened.push(store);
      return store;
    },
    async destroy(): Promise<void> {
      await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
      await dropSchema(schema, url);
    },
  };
}
