// Starts a server as a child process so that the load generator and the server each get a core,
// and waits for the line that says where it listens.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Child {
  proc: ChildProcess;
  url: string;
  stop(): Promise<void>;
  /** Resident set size of the child in MiB, from /proc. */
  rssMiB(): number;
}

export async function startChild(cmd: string[], listening: RegExp, env: NodeJS.ProcessEnv = {}): Promise<Child> {
  const [bin, ...args] = cmd;
  const proc = spawn(bin!, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = listening.exec(out);
      if (m?.[1]) resolve(m[1]);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    proc.on('exit', () => reject(new Error(`child exited before listening:\n${out}`)));
    setTimeout(() => reject(new Error(`child did not listen in time:\n${out}`)), 30_000).unref();
  });
  return {
    proc,
    url,
    rssMiB() {
      try {
        const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        return kb / 1024;
      } catch {
        return NaN;
      }
    },
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    }),
  };
}
