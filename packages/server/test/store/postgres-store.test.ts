// The Store contract on PostgreSQL, plus what only PostgreSQL has: day partitions, migrations
// raced by many replicas, answers while the database is away. Each test gets its own schema.
// Skips, saying so, when no server answers (see postgres-test-db.ts); in CI the server is required.
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, dayOf, PARTITION_DAYS_AHEAD, PARTITION_DAYS_BEHIND } from '../../src/store/postgres/partitions.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { StoreUnavailableError } from '../../src/store/store.js';
import { makeRun, T0 } from './contract/fixtures.js';
import { storeContract } from './store-contract.js';
import { postgresUnreachable, testSchema } from './postgres-test-db.js';

const unreachable = await postgresUnreachable();

describe.skipIf(unreachable !== null)(`PostgreSQL store${unreachable ? ` (SKIPPED: ${unreachable})` : ''}`, () => {
  storeContract({
    engine: 'postgres',
    async newDatabase() {
      const db = testSchema();
      return { open: ({ now } = {}) => db.open({ now }), destroy: () => db.destroy() };
    },
    differences: {
      // Days wholly before the cutoff go as partitions, all at once: the call returns that day's
      // count, which may pass `limit`. The drain-until-zero retention test holds on both engines.
      'deleting old runs removes them in batches and keeps their rollups':
        'whole days are dropped as partitions in one call, so a batch may exceed limit',
    },
  });

  describe('PostgreSQL only', () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanup.splice(0)) await c();
    });
    const schema = () => {
      const db = testSchema();
      cleanup.push(() => db.destroy());
      return db;
    };

    it('migrate creates day partitions around today, and a run on any other day gets its own', async () => {
      const now = Date.now();
      const store = schema().open();
      await store.migrate();
      const today = dayOf(now);
      const days = await store.partitionDays();
      for (let i = -PARTITION_DAYS_BEHIND; i <= PARTITION_DAYS_AHEAD; i++) expect(days).toContain(today + i * DAY_MS);
      const p = await store.ensureProject('default');
      const longAgo = Date.UTC(2021, 2, 3, 12);
      await store.writeRuns(p.id, [makeRun({ timestamp: longAgo })]);
      expect(await store.partitionDays()).toContain(dayOf(longAgo));
      expect((await store.getRun(p.id, 'run-1'))!.timestamp).toBe(longAgo);
      const tables = await store.pool.query<{ n: string }>(
        "SELECT relname AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1 AND relname LIKE '%_d20210303'",
        [store.schema],
      );
      expect(tables.rows.map((r) => r.n).sort()).toEqual(['runs_d20210303', 'tool_calls_d20210303']);
    });

    it('retention drops whole past days as partitions', async () => {
      const store = schema().open();
      await store.migrate();
      const p = await store.ensureProject('default');
      await store.writeRuns(p.id, [makeRun({ run_id: 'a', timestamp: T0 - 3 * DAY_MS }), makeRun({ run_id: 'b', timestamp: T0 })]);
      expect(await store.partitionDays()).toContain(T0 - 3 * DAY_MS);
      expect(await store.deleteRunsBefore(T0, 1_000)).toBe(1);
      const days = await store.partitionDays();
      expect(days.filter((d) => d < T0)).toEqual([]);
      expect(await store.getRun(p.id, 'b')).not.toBeNull();
      // A write for a dropped day recreates its partition.
      await store.writeRuns(p.id, [makeRun({ run_id: 'a', timestamp: T0 - 3 * DAY_MS })]);
      expect(await store.getRun(p.id, 'a')).not.toBeNull();
    });

    it('a writer whose day was dropped by another replica recreates it and writes', async () => {
      const db = schema();
      const [a, b] = [db.open(), db.open()];
      await a.migrate();
      await b.migrate();
      const p = await a.ensureProject('default');
      await a.writeRuns(p.id, [makeRun({ run_id: 'x', timestamp: T0 - 3 * DAY_MS })]);
      await b.writeRuns(p.id, [makeRun({ run_id: 'y', timestamp: T0 - 3 * DAY_MS })]);
      await a.deleteRunsBefore(T0, 1_000);
      // b still believes the day exists.
      await b.writeRuns(p.id, [makeRun({ run_id: 'z', timestamp: T0 - 3 * DAY_MS })]);
      expect(await a.getRun(p.id, 'z')).not.toBeNull();
    });

    it('ten replicas migrating one new schema at once apply each version once', async () => {
      const db = schema();
      const stores = Array.from({ length: 10 }, () => db.open({ poolSize: 2 }));
      await Promise.all(stores.map((s) => s.migrate()));
      const versions = await stores[0]!.pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(versions.rows.map((r) => r.version)).toEqual([...new Set(versions.rows.map((r) => r.version))]);
      expect(versions.rows.length).toBeGreaterThanOrEqual(4);
    });

    it('without a database every call fails fast with StoreUnavailableError, and nothing hangs', async () => {
      const store = createPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 });
      cleanup.push(() => store.close());
      const started = Date.now();
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.writeRuns(1, [makeRun()])).rejects.toMatchObject({ name: 'StoreUnavailableError', retryAfterSeconds: 2 });
      await expect(store.getRun(1, 'x')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.migrate()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('a data error in one request of a group fails that request only', async () => {
      const store = schema().open();
      await store.migrate();
      const p = await store.ensureProject('default');
      // PostgreSQL text cannot hold NUL; SQLite can (a named difference, see docs/scale-out.md).
      const results = await Promise.allSettled([
        store.writeRuns(p.id, [makeRun({ run_id: 'good-1' })]),
        store.writeRuns(p.id, [makeRun({ run_id: 'bad', model: 'nul\u0000inside' })]),
        store.writeRuns(p.id, [makeRun({ run_id: 'good-2' })]),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await store.getRun(p.id, 'good-2')).not.toBeNull();
      expect(await store.getRun(p.id, 'bad')).toBeNull();
    });
  });
});
