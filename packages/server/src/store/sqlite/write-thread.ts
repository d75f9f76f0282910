// The event loop's side of the write thread: sends write groups to write-worker.ts and settles
// them from its replies. A crashed thread fails its pending groups (the callers answer 503 and
// clients retry) and is started again for the next group.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StoreUnavailableError } from '../store.js';
import type { OtlpTraceState } from '../store.js';
import type { OtlpWriteInput } from './otlp-writer.js';
import type { WriteInput, WriteOutcome } from './run-writer.js';
import type { WorkerReply, WorkerRequest } from './write-worker.js';

export interface WriteThread {
  writeGroup(inputs: WriteInput[], now: number): Promise<WriteOutcome[]>;
  /** Commits a group of OTLP span writes and marks (otlp-writer.ts) on the thread's connection. */
  putOtlp(inputs: OtlpWriteInput[]): Promise<OtlpTraceState[][]>;
  close(): Promise<void>;
}

// Built, the worker is write-worker.js. From sources (tests, tsx) it is the .ts file, and a
// worker cannot take `--import tsx`, so a small bootstrap registers tsx's loader and imports it.
const fromSource = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(fromSource ? './write-worker.ts' : './write-worker.js', import.meta.url);

function spawnWorker(path: string): Worker {
  if (!fromSource) return new Worker(WORKER_URL, { workerData: { path } });
  // tsx's ESM API, as its package.json exports it for `import` (resolve() would pick the CJS one).
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((t) => { t.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: { path } });
}

export function createWriteThread(path: string): WriteThread {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();

  const start = (): Worker => {
    const w = spawnWorker(path);
    w.on('message', (reply: WorkerReply) => {
      const p = pending.get(reply.id);
      pending.delete(reply.id);
      p?.resolve(reply);
    });
    const fail = (error: Error) => {
      if (worker === w) worker = null;
      for (const p of pending.values()) p.reject(new StoreUnavailableError(`the SQLite write thread stopped: ${error.message}`, 1));
      pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    return w;
  };

  const send = (msg: WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never): Promise<WorkerReply> => {
    worker ??= start();
    const id = nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker!.postMessage({ ...msg, id });
    });
  };

  return {
    async writeGroup(inputs, now) {
      const reply = await send({ type: 'write', inputs, now });
      if ('failure' in reply) throw Object.assign(new Error(reply.failure.message), reply.failure);
      if ('outcomes' in reply) return reply.outcomes;
      throw new Error('unexpected reply from the write thread');
    },
    async putOtlp(inputs) {
      const reply = await send({ type: 'otlp', inputs });
      if ('failure' in reply) throw Object.assign(new Error(reply.failure.message), reply.failure);
      if ('otlp' in reply) return reply.otlp;
      throw new Error('unexpected reply from the write thread');
    },
    async close() {
      if (!worker) return;
      const w = worker;
      await send({ type: 'close' });
      worker = null;
      await w.terminate();
    },
  };
}
