#!/usr/bin/env node
// The `vigil` command as npm links it. It is committed (not built), so `npm ci` in a fresh clone
// links `npx vigil` even before the first build; it runs the built CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/app/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('vigil: not built yet. Run `npm run build` (or `npm start`) in the repository first.');
  process.exit(1);
}
await import(cli.href);
