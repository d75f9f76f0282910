// SQLite side of the OTLP trace-assembly Store methods: spans held per open trace, and a small
// row per trace saying how far its runs have caught up. Payloads are JSON that ingest/otlp owns.
// Span writes go through group commit to otlp-writer.ts, on the write thread when there is one
// (a database file), so their fsync never holds up the event loop.
import type Database from 'better-sqlite3';
import { StoreOverloadedError, type OtlpHeldSpan, type OtlpTraceState, type Store } from '../store.js';
import { createWriteQueue } from '../write-queue.js';
import { createSqliteOtlpWriter, type OtlpWriteInput } from './otlp-writer.js';
import type { WriteThread } from './write-thread.js';

type OtlpMethods = Pick<Store, 'putOtlpSpans' | 'getOtlpTrace' | 'markOtlpAssembled' | 'listOtlpTracesToAssemble' | 'closeOtlpTraces'>;

export interface SqliteOtlpTables {
  methods: OtlpMethods;
  /** Resolves when every queued span write has committed (the store's close waits for it). */
  drain(): Promise<void>;
}

export function createSqliteOtlpTables(db: Database.Database, opts: { maxPendingJobs?: number; thread?: WriteThread | null } = {}): SqliteOtlpTables {
  // Prepared lazily: the tables exist only after migrate().
  let s: ReturnType<typeof prepare> | null = null;
  function prepare() {
    return {
      trace: db.prepare<[number, string], { closed: number; run_ids: string }>('SELECT closed, run_ids FROM otlp_traces WHERE project_id = ? AND trace_id = ?'),
      spans: db.prepare<[number, string], OtlpHeldSpan>('SELECT span_id, payload FROM otlp_spans WHERE project_id = ? AND trace_id = ?'),
      due: db.prepare<[number, number], { project_id: number; trace_id: string }>(`SELECT project_id, trace_id FROM otlp_traces
        WHERE closed = 0 AND assembled_count < span_count AND last_received_at < ? ORDER BY last_received_at LIMIT ?`),
      toClose: db.prepare<[number, number], { project_id: number; trace_id: string }>(`SELECT project_id, trace_id FROM otlp_traces
        WHERE closed = 0 AND assembled_count >= span_count AND last_received_at < ? ORDER BY last_received_at LIMIT ?`),
      dropSpans: db.prepare('DELETE FROM otlp_spans WHERE project_id = ? AND trace_id = ?'),
      close: db.prepare('UPDATE otlp_traces SET closed = 1 WHERE project_id = ? AND trace_id = ?'),
      forget: db.prepare('DELETE FROM otlp_traces WHERE closed = 1 AND last_received_at < ?'),
    };
  }
  const st = () => (s ??= prepare());

  // In-memory databases exist per connection, so without a thread the event loop writes.
  let inPlace: ReturnType<typeof createSqliteOtlpWriter> | null = null;
  const putGroup = async (inputs: OtlpWriteInput[]) =>
    opts.thread ? opts.thread.putOtlp(inputs) : (inPlace ??= createSqliteOtlpWriter(db)).putGroup(inputs);

  // Marks share the queue with span writes: they ride along in the same commit group.
  const queue = createWriteQueue<OtlpWriteInput, OtlpTraceState[]>({
    maxPendingJobs: opts.maxPendingJobs,
    overloaded: () => new StoreOverloadedError(1),
    commit: async (jobs) => {
      // Rows are only inserted or replaced, so one failing job can only be a database failure;
      // the whole group fails together and nothing of it is acknowledged.
      const results = await putGroup(jobs.map((j) => j.input));
      jobs.forEach((j, i) => j.resolve(results[i]!));
    },
  });

  const close = db.transaction((receivedBefore: number, forgetBefore: number, limit: number) => {
    const rows = st().toClose.all(receivedBefore, limit);
    for (const r of rows) {
      st().dropSpans.run(r.project_id, r.trace_id);
      st().close.run(r.project_id, r.trace_id);
    }
    st().forget.run(forgetBefore);
    return rows.length;
  });

  const methods: OtlpMethods = {
    putOtlpSpans(projectId, traces, receivedAt) {
      return queue.push({ kind: 'put', projectId, traces, receivedAt });
    },

    async getOtlpTrace(projectId, traceId) {
      const row = st().trace.get(projectId, traceId);
      if (!row) return null;
      const closed = row.closed === 1;
      return { trace_id: traceId, closed, spans: closed ? [] : st().spans.all(projectId, traceId), run_ids: closed ? [] : (JSON.parse(row.run_ids) as string[]) };
    },

    async markOtlpAssembled(projectId, marks) {
      await queue.push({ kind: 'mark', projectId, marks });
    },

    async listOtlpTracesToAssemble(receivedBefore, limit) {
      return st().due.all(receivedBefore, limit);
    },

    async closeOtlpTraces(receivedBefore, forgetBefore, limit) {
      return close.immediate(receivedBefore, forgetBefore, limit);
    },
  };
  return { methods, drain: () => queue.drain() };
}
