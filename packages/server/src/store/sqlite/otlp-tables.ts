// SQLite side of the OTLP trace-assembly Store methods: spans held per open trace, and a small
// row per trace saying how far its runs have caught up. Payloads are JSON that ingest/otlp owns.
// Span writes share one transaction per group (group commit), like writeRuns, so an OTLP request
// costs one fsync however many arrive together.
import type Database from 'better-sqlite3';
import { StoreOverloadedError, type OtlpHeldSpan, type OtlpTraceState, type Store } from '../store.js';
import { createWriteQueue } from '../write-queue.js';

type OtlpMethods = Pick<Store, 'putOtlpSpans' | 'getOtlpTrace' | 'markOtlpAssembled' | 'listOtlpTracesToAssemble' | 'closeOtlpTraces'>;

interface PutInput {
  kind: 'put';
  projectId: number;
  traces: { trace_id: string; spans: OtlpHeldSpan[]; if_open?: boolean }[];
  receivedAt: number;
}

interface MarkInput {
  kind: 'mark';
  projectId: number;
  marks: { trace_id: string; span_count: number; run_ids: string[] }[];
}

export function createSqliteOtlpTables(db: Database.Database, opts: { maxPendingJobs?: number } = {}): OtlpMethods {
  // Prepared lazily: the tables exist only after migrate().
  let s: ReturnType<typeof prepare> | null = null;
  function prepare() {
    return {
      trace: db.prepare<[number, string], { closed: number; run_ids: string }>('SELECT closed, run_ids FROM otlp_traces WHERE project_id = ? AND trace_id = ?'),
      putSpan: db.prepare(`INSERT INTO otlp_spans (project_id, trace_id, span_id, payload) VALUES (?, ?, ?, ?)
        ON CONFLICT (project_id, trace_id, span_id) DO UPDATE SET payload = excluded.payload`),
      spans: db.prepare<[number, string], OtlpHeldSpan>('SELECT span_id, payload FROM otlp_spans WHERE project_id = ? AND trace_id = ?'),
      putTrace: db.prepare(`INSERT INTO otlp_traces (project_id, trace_id, first_received_at, last_received_at, span_count, assembled_count, run_ids, closed)
        VALUES (@p, @t, @at, @at, @n, 0, '[]', 0)
        ON CONFLICT (project_id, trace_id) DO UPDATE SET last_received_at = max(last_received_at, excluded.last_received_at), span_count = excluded.span_count`),
      mark: db.prepare('UPDATE otlp_traces SET assembled_count = ?, run_ids = ? WHERE project_id = ? AND trace_id = ? AND closed = 0'),
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

  const putOne = (input: PutInput): OtlpTraceState[] => {
    const out: OtlpTraceState[] = [];
    for (const t of input.traces) {
      const row = st().trace.get(input.projectId, t.trace_id);
      if (!row && t.if_open) continue;
      if (row?.closed === 1) {
        out.push({ trace_id: t.trace_id, closed: true, spans: [], run_ids: [] });
        continue;
      }
      for (const span of t.spans) st().putSpan.run(input.projectId, t.trace_id, span.span_id, span.payload);
      // A new trace holds exactly what was just written (unless a span id repeated): no read back.
      const spans = row || new Set(t.spans.map((x) => x.span_id)).size !== t.spans.length ? st().spans.all(input.projectId, t.trace_id) : t.spans;
      st().putTrace.run({ p: input.projectId, t: t.trace_id, at: input.receivedAt, n: spans.length });
      out.push({ trace_id: t.trace_id, closed: false, spans, run_ids: row ? (JSON.parse(row.run_ids) as string[]) : [] });
    }
    return out;
  };
  const markOne = (input: MarkInput): OtlpTraceState[] => {
    for (const m of input.marks) st().mark.run(m.span_count, JSON.stringify(m.run_ids), input.projectId, m.trace_id);
    return [];
  };
  const putGroup = db.transaction((inputs: (PutInput | MarkInput)[]) => inputs.map((i) => (i.kind === 'put' ? putOne(i) : markOne(i))));

  // Marks share the queue with span writes: they ride along in the same commit group.
  const queue = createWriteQueue<PutInput | MarkInput, OtlpTraceState[]>({
    maxPendingJobs: opts.maxPendingJobs,
    overloaded: () => new StoreOverloadedError(1),
    commit: (jobs) => {
      // Rows are only inserted or replaced, so one failing job can only be a database failure;
      // the whole group fails together and nothing of it is acknowledged.
      const results = putGroup.immediate(jobs.map((j) => j.input));
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

  return {
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
}
