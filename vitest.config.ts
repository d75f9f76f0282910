// One test run for the whole repository. Workspace packages resolve to their TypeScript sources,
// so tests never depend on a stale build.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@vigil/protocol': src('./packages/protocol/src/index.ts'),
      '@vigil/sdk': src('./packages/sdk/src/index.ts'),
      // Subpaths first: an alias matches any import that starts with it.
      '@vigil/server/anomaly': src('./packages/server/src/anomaly.ts'),
      '@vigil/server': src('./packages/server/src/index.ts'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'bench/**/*.test.ts', 'examples/**/*.test.ts', 'compat/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
