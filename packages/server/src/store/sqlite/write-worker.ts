// The SQLite write thread. It owns a second connection to the database file and commits write
// groups there, so the fsync and the inserts of one group overlap with the event loop reading,
// validating and answering the next requests. It never migrates, and never reads for the API.
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteDatabase } from './database.js';
import { createRunWriter, toWriteFailure, type WriteFailure, type WriteInput, type WriteOutcome } from './run-writer.js';

export type WorkerRequest =
  | { type: 'write'; id: number; inputs: WriteInput[]; now: number }
  | { type: 'close'; id: number };

export type WorkerReply =
  | { id: number; outcomes: WriteOutcome[] }
  | { id: number; failure: WriteFailure }
  | { id: number; closed: true };

const port = parentPort;
if (port) {
  const db = openSqliteDatabase((workerData as { path: string }).path);
  const writer = createRunWriter(db);
  port.on('message', (msg: WorkerRequest) => {
    if (msg.type === 'close') {
      db.close();
      port.postMessage({ id: msg.id, closed: true } satisfies WorkerReply);
      return;
    }
    let reply: WorkerReply;
    try {
      reply = { id: msg.id, outcomes: writer.writeGroup(msg.inputs, msg.now) };
    } catch (error) {
      reply = { id: msg.id, failure: toWriteFailure(error) };
    }
    port.postMessage(reply);
  });
}
