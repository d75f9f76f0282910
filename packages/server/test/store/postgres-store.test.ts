// The Store contract on PostgreSQL, plus what only PostgreSQL has: partitions, the advisory-locked
// migrations, outage handling. Each test gets its own schema. Skips, saying so, when no server
// answers (see postgres-test-db.ts); in CI the server is required.
import { describe } from 'vitest';
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
});
