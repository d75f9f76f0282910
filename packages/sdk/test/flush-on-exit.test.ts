// A process that records runs and simply ends (no flush(), no shutdown()) still delivers them:
// the SDK flushes on beforeExit, and its timers do not keep the process alive on their own.
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './receiver.js';

const sdkDir = fileURLToPath(new URL('../', import.meta.url));
const workDir = join(sdkDir, 'test-artifacts/flush-on-exit');
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  mkdirSync(workDir, { recursive: true });
});
afterAll(async () => {
  await receiver.close();
  rmSync(workDir, { recursive: true, force: true });
});

async function runChild(code: string, env: Record<string, string>): Promise<number> {
  const file = join(workDir, `child-${Date.now()}.ts`);
  writeFileSync(file, code);
  const t0 = Date.now();
  await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { cwd: workDir, env: { ...process.env, ...env }, timeout: 30_000 });
  return Date.now() - t0;
}

describe('flush on exit', () => {
  it('sends queued runs when the process ends on its own', async () => {
    await runChild(
      `import * as vigil from '../../src/index.js';\nfor (let i = 0; i < 3; i++) await vigil.run('exit_bot', () => i, { runId: 'exit-' + i });\n`,
      { VIGIL_ENDPOINT: receiver.url, VIGIL_API_KEY: 'k', VIGIL_SCHEDULED_DELAY_MS: '60000' },
    );
    expect(receiver.acceptedRunIds.sort()).toEqual(['exit-0', 'exit-1', 'exit-2']);
  }, 60_000);

  it('does not hold the process long when the server is down', async () => {
    const elapsed = await runChild(
      `import * as vigil from '../../src/index.js';\nawait vigil.run('exit_bot', () => 1);\n`,
      { VIGIL_ENDPOINT: 'http://127.0.0.1:1', VIGIL_API_KEY: 'k', VIGIL_EXPORT_TIMEOUT_MS: '1000', VIGIL_LOG_LEVEL: 'off' },
    );
    // One flush attempt bounded by the export timeout, then exit: no retry loop keeps it alive.
    expect(elapsed).toBeLessThan(15_000);
  }, 60_000);
});
