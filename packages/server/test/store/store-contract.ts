// The Store contract, written once: every behaviour a store must have, run against whatever
// engine the caller opens (sqlite-store.test.ts, postgres-store.test.ts). An engine that really
// differs names the test and the reason in `differences`; nothing is dropped silently.
// Other modules' store methods (rollups, alert state, retention) get their sections here too.
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { makeRun, T0 } from './contract/fixtures.js';
import { alertingContract } from './contract/alerting.js';
import { keysContract } from './contract/keys.js';
import { leasesContract } from './contract/leases.js';
import { listingContract } from './contract/listing.js';
import { otlpContract } from './contract/otlp.js';
import { retentionContract } from './contract/retention.js';
import { runsContract } from './contract/runs.js';
import { rollupWritersContract } from './contract/rollup-writers.js';
import { rollupContract } from './contract/rollups.js';
import { sessionsContract } from './contract/sessions.js';

export { makeRun, T0 };

export interface ContractDatabase {
  /** Opens a store on this database, not yet migrated; several may share it, like replicas. */
  open(options?: { now?: () => number }): Store;
  /** Closes every store opened here and removes the database. */
  destroy(): Promise<void>;
}

export interface ContractOptions {
  engine: 'sqlite' | 'postgres';
  newDatabase(): Promise<ContractDatabase>;
  /** Test name -> why this engine behaves differently. Those tests are skipped with the reason shown. */
  differences?: Record<string, string>;
}

/** What each contract section gets: the test registrar (honouring differences) and store openers. */
export interface ContractContext {
  test: (name: string, fn: () => Promise<void>) => void;
  /** A migrated store on a new database, destroyed after the test. */
  fresh: (now?: () => number) => Promise<Store>;
  /** Several migrated stores sharing one new database, like replicas. */
  replicas: (n: number) => Promise<Store[]>;
  /** A new database to open stores on yourself (not migrated), destroyed after the test. */
  newDatabase: () => Promise<ContractDatabase>;
  engine: ContractOptions['engine'];
}

export function storeContract(options: ContractOptions): void {
  const differences = options.differences ?? {};
  const test = (name: string, fn: () => Promise<void>) => {
    const why = differences[name];
    if (why) it.skip(`${name} [differs on ${options.engine}: ${why}]`, fn);
    else it(name, fn);
  };

  describe(`Store contract (${options.engine})`, () => {
    let db: ContractDatabase | null = null;
    const fresh = async (now?: () => number): Promise<Store> => {
      db = await options.newDatabase();
      const store = db.open({ now });
      await store.migrate();
      return store;
    };
    afterEach(async () => {
      await db?.destroy();
      db = null;
    });
    const replicas = async (n: number): Promise<Store[]> => {
      db = await options.newDatabase();
      const opened = Array.from({ length: n }, () => db!.open());
      for (const s of opened) await s.migrate();
      return opened;
    };
    const newDatabase = async (): Promise<ContractDatabase> => (db = await options.newDatabase());
    const ctx: ContractContext = { test, fresh, replicas, newDatabase, engine: options.engine };
    keysContract(ctx);
    runsContract(ctx);
    listingContract(ctx);
    leasesContract(ctx);
    rollupContract(ctx);
    rollupWritersContract(ctx);
    retentionContract(ctx);
    alertingContract(ctx);
    otlpContract(ctx);
    sessionsContract(ctx);

    describe('lifecycle', () => {
      test('migrating twice leaves a working store', async () => {
        const store = await fresh();
        await store.migrate();
        await store.ping();
        expect(store.engine).toBe(options.engine);
      });

      test('two stores migrating the same new database at once both succeed', async () => {
        db = await options.newDatabase();
        const a = db.open();
        const b = db.open();
        await Promise.all([a.migrate(), b.migrate()]);
        const p = await a.ensureProject('default');
        expect(await b.getProject(p.id)).toEqual(p);
      });

      test('close may be called twice', async () => {
        const store = await fresh();
        await store.close();
        await store.close();
      });
    });
  });
}
