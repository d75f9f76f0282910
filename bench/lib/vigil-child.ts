// Starts the built `vigil serve` (packages/server/dist) on a fresh SQLite file in a temp folder.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild, type Child } from './child.js';

export const BENCH_KEY = 'vgl_bench_key';
const CLI = fileURLToPath(new URL('../../packages/server/dist/app/cli.js', import.meta.url));

export async function startVigil(extraArgs: string[] = [], db?: string): Promise<Child & { db: string }> {
  const file = db ?? join(mkdtempSync(join(tmpdir(), 'vigil-bench-')), 'vigil.db');
  const child = await startChild(
    [process.execPath, CLI, 'serve', '--port', '0', '--db', file, '--api-key', BENCH_KEY, '--no-demo', ...extraArgs],
    /Vigil listening on (http:\/\/\S+)/,
    { VIGIL_LOG_LEVEL: 'warn', NODE_ENV: 'production' },
  );
  return Object.assign(child, { db: file });
}
