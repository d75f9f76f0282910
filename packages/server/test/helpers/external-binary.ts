// Tests that drive a real Prometheus-family binary (alertmanager, prometheus, promtool): find it,
// skip loudly when it is missing on a developer's machine, fail when it is missing in CI (where
// .ci/run installs it), and hand out free local ports.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * Whether the binary can run. Outside CI a missing binary skips the test with a warning naming
 * the Debian package; with CI set, the test runs anyway and fails, so CI never passes by skipping.
 */
export function requireBinary(path: string, debianPackage: string, what: string): boolean {
  const ok = spawnSync(path, ['--version'], { encoding: 'utf8' }).status === 0;
  if (!ok && !process.env.CI) console.warn(`SKIPPED: ${path} is not installed (apt-get install ${debianPackage}); ${what} did not run`);
  return ok || Boolean(process.env.CI);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Child {
  process: ChildProcess;
  /** What it wrote to stdout and stderr, for the failure message. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when it exited. */
  stop(): Promise<void>;
}

export function startChild(path: string, args: string[]): Child {
  const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out = (out + c.toString('utf8')).slice(-20_000); });
  child.stderr.on('data', (c: Buffer) => { out = (out + c.toString('utf8')).slice(-20_000); });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Polls `check` every 100 ms until it returns a value, or fails after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
