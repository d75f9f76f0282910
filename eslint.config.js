// Lint config: typescript-eslint's recommended rules on every package, and the layer rule of
// docs/architecture.md ("Layers"): each folder imports only the folders listed for it, and no two
// files import each other, directly or around a cycle. Generated output is ignored.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const SRC = './packages/server/src';

/**
 * The server's folders, bottom layer first, each with the folders it may import besides itself
 * (every folder may import @vigil/protocol). `app/` and `index.ts` compose everything above them.
 */
const SERVER_LAYERS = {
  config: [],
  web: ['config'],
  store: ['config'],
  ingest: ['config', 'web', 'store'],
  query: ['web', 'store'],
  alerting: ['config', 'web', 'store', 'query'],
  metrics: ['web', 'store', 'query'],
  'dashboard-api': ['web', 'store'],
};

const serverZones = Object.entries(SERVER_LAYERS).map(([layer, allowed]) => ({
  target: `${SRC}/${layer}`,
  from: SRC,
  except: [`./${layer}`, ...allowed.map((a) => `./${a}`)],
  message: `server/src/${layer}/ may import only ${[layer, ...allowed].join(', ')} (docs/architecture.md, "Layers").`,
}));

/** Packages: what each may import of ours. */
const packageZones = [
  { target: './packages/protocol/src', from: ['./packages/sdk', './packages/server', './packages/dashboard', './examples', './bench'], message: 'protocol imports nothing of ours.' },
  { target: './packages/sdk/src', from: ['./packages/server', './packages/dashboard', './examples', './bench'], message: 'the SDK imports only protocol.' },
  { target: './packages/dashboard/src', from: ['./packages/server', './packages/sdk', './examples', './bench'], message: 'the dashboard talks to the server over its public API only.' },
  { target: './examples/**/!(*.test).ts', from: ['./packages/server', './packages/dashboard', './bench'], message: 'examples use the SDK, as an agent would.' },
  { target: './packages/server/src', from: ['./packages/sdk', './packages/dashboard', './examples', './bench', './packages/server/test'], message: 'the server does not import the SDK, the dashboard, examples, benchmarks or tests.' },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/test-artifacts/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: {
      // no-cycle reads the files an import leads to: it needs the TypeScript parser for them.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ noWarnOnMultipleProjects: true, project: ['packages/*/tsconfig.json', 'examples/tsconfig.json', 'bench/tsconfig.json'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [...serverZones, ...packageZones] }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // Only the composition root may import app/: nothing below it knows how it is assembled.
    files: ['packages/server/src/**'],
    ignores: ['packages/server/src/app/**', 'packages/server/src/index.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)app/', message: 'app/ sits on top: nothing in server/src imports it (docs/architecture.md, "Layers").' }] }],
    },
  },
  {
    files: ['packages/dashboard/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
