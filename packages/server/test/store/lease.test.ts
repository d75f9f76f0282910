// The lease keeper: leadership by the local clock (passed in), renewals, stepping down before the
// database would hand the lease to someone else, release on stop; two keepers on one PostgreSQL.
import { afterEach, describe, expect, it } from 'vitest';
import { createLeaseKeeper, LOCAL_VALIDITY_SHARE, type LeaseKeeper } from '../../src/store/lease.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { postgresUnreachable, testSchema } from './postgres-test-db.js';

const unreachable = await postgresUnreachable();

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function keeper(store: Store, clock: { t: number }, holder: string, changes: [boolean, number][] = []): LeaseKeeper {
  const k = createLeaseKeeper({ store, name: 'alert-evaluator', holder, ttlMs: 10_000, now: () => clock.t, onChange: (l, e) => changes.push([l, e]) });
  cleanup.push(() => k.stop());
  return k;
}

describe('lease keeper', () => {
  it('leads after a granted renewal and steps down when renewals stop before the grant runs out', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    cleanup.push(() => store.close());
    await store.migrate();
    const clock = { t: 1_000 };
    const changes: [boolean, number][] = [];
    const k = keeper(store, clock, 'a', changes);
    expect(k.isLeader()).toBe(false);
    expect(await k.renew()).toBe(true);
    expect(k.epoch()).toBe(1);
    clock.t += 10_000 * LOCAL_VALIDITY_SHARE - 1;
    expect(k.isLeader()).toBe(true);
    clock.t += 1;
    expect(k.isLeader()).toBe(false);
    expect(k.epoch()).toBe(0);
    await k.renew();
    await k.stop();
    expect(k.isLeader()).toBe(false);
    expect(changes).toEqual([[true, 1], [false, 0], [true, 1], [false, 0]]);
  });

  it('keeps its grant through a failed renewal and loses it only when the grant runs out', async () => {
    const sqlite = createSqliteStore({ path: ':memory:' });
    cleanup.push(() => sqlite.close());
    await sqlite.migrate();
    // A PostgreSQL that is not there: every renewal fails at once.
    const gone = createPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 });
    cleanup.push(() => gone.close());
    const clock = { t: 0 };
    const errors: unknown[] = [];
    let store: Store = sqlite;
    const k = createLeaseKeeper({ store: new Proxy(sqlite, { get: (_, p) => Reflect.get(store, p) as unknown }), name: 'l', holder: 'a', ttlMs: 10_000, now: () => clock.t, onError: (e) => errors.push(e) });
    cleanup.push(() => k.stop());
    expect(await k.renew()).toBe(true);
    store = gone;
    clock.t += 5_000;
    expect(await k.renew()).toBe(true);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).name).toBe('StoreUnavailableError');
    clock.t += 4_000;
    expect(await k.renew()).toBe(false);
  });
});

describe.skipIf(unreachable !== null)(`lease keepers on PostgreSQL${unreachable ? ` (SKIPPED: ${unreachable})` : ''}`, () => {
  it('only one of two keepers leads; when it stops the other leads at its next renewal, with a new epoch', async () => {
    const db = testSchema();
    cleanup.push(() => db.destroy());
    const [s1, s2] = [db.open(), db.open()];
    await s1.migrate();
    await s2.migrate();
    const clock = { t: 0 };
    const a = keeper(s1, clock, 'a');
    const b = keeper(s2, clock, 'b');
    expect(await a.renew()).toBe(true);
    expect(await b.renew()).toBe(false);
    expect(await a.renew()).toBe(true);
    const first = a.epoch();
    await a.stop();
    expect(a.isLeader()).toBe(false);
    expect(await b.renew()).toBe(true);
    expect(b.epoch()).toBe(first + 1);
  });
});
