// The Store contract on SQLite: each test gets a new database file in a temporary folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { storeContract } from './store-contract.js';

// SQLite serves a single process, so its lease is always held by whoever asks (store.ts).
const SINGLE_PROCESS = 'one process owns a SQLite file, so every holder holds the lease';

storeContract({
  engine: 'sqlite',
  async newDatabase() {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
    const opened: Store[] = [];
    return {
      open: ({ now } = {}) => {
        const store = createSqliteStore({ path: join(dir, 'vigil.db'), now });
        opened.push(store);
        return store;
      },
      async destroy() {
        await Promise.all(opened.map((s) => s.close()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  differences: {
    'a held lease is refused to another holder until it expires': SINGLE_PROCESS,
    'a released lease goes to the next holder at once': SINGLE_PROCESS,
    'replicas racing for a free lease: exactly one wins': SINGLE_PROCESS,
  },
});
