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
  });
});
