// The SQLite write thread. It owns a second connection to the database file and commits write
// groups (runs, and held OTLP spans) there, so the fsync and the inserts of one group overlap with the event loop reading,
// validating and answering the next requests. It never migrates, and never reads for the API.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { OtlpTraceState } from '../store.js';
import { openSqliteDatabase } from './database.js';
import { createSqliteOtlpWriter, type OtlpWriteInput } from './otlp-writer.js';
import { createRunWriter, toWriteFailure, type WriteFailure, type WriteInput, type WriteOutcome } from './run-writer.js';

export type WorkerRequest =
  | { type: 'write'; id: number; inputs: WriteInput[]; now: number }
  | { type: 'otlp'; id: number; inputs: OtlpWriteInput[] }
  | { type: 'close'; id: number };

export type WorkerReply =
  | { id: number; outcomes: WriteOutcome[] }
  | { id: number; otlp: OtlpTraceState[][] }
  | { id: number; failure: WriteFailure }
  | { id: number; closed: true };

const port = parentPort;
if (port) {
  const db = openSqliteDatabase((workerData as { path: string }).path);
  const writer = createRunWriter(db);
  const otlp = createSqliteOtlpWriter(db);
  const write = (batch: Array<Extract<WorkerRequest, { type: 'write' }>>): void => {
    const inputs = batch.length === 1 ? batch[0]!.inputs : batch.flatMap((m) => m.inputs);
    let outcomes: WriteOutcome[];
    try {
      outcomes = writer.writeGroup(inputs, batch[batch.length - 1]!.now);
    } catch (error) {
      const failure = toWriteFailure(error);
      for (const m of batch) port.postMessage({ id: m.id, failure } satisfies WorkerReply);
      return;
    }
    let at = 0;
    for (const m of batch) {
      port.postMessage({ id: m.id, outcomes: outcomes.slice(at, at + m.inputs.length) } satisfies WorkerReply);
      at += m.inputs.length;
    }
  };
  port.on('message', (first: WorkerRequest) => {
    // Groups that queued up while the last one committed join this one: one transaction and
    // one fsync for all of them, so the event loop can hand groups over without waiting.
    const batch: Array<Extract<WorkerRequest, { type: 'write' }>> = [];
    for (let msg: WorkerRequest | undefined = first; msg; msg = (receiveMessageOnPort(port) as { message: WorkerRequest } | undefined)?.message) {
      if (msg.type === 'write') {
        batch.push(msg);
        continue;
      }
      if (batch.length > 0) write(batch.splice(0));
      if (msg.type === 'otlp') {
        let reply: WorkerReply;
        try {
          reply = { id: msg.id, otlp: otlp.putGroup(msg.inputs) };
        } catch (error) {
          reply = { id: msg.id, failure: toWriteFailure(error) };
        }
        port.postMessage(reply);
        continue;
      }
      db.close();
      port.postMessage({ id: msg.id, closed: true } satisfies WorkerReply);
      return;
    }
    if (batch.length > 0) write(batch);
  });
}
