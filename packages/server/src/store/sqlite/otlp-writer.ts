// Writes held OTLP spans and assembly marks: one transaction per group (group commit), like
// writeRuns, so an OTLP request costs one fsync however many arrive together. It runs wherever its
// connection lives: on the event loop for in-memory databases, in the write thread for files.
import type Database from 'better-sqlite3';
import type { OtlpHeldSpan, OtlpTraceState } from '../store.js';

export interface PutInput {
  kind: 'put';
  projectId: number;
  traces: { trace_id: string; spans: OtlpHeldSpan[]; if_open?: boolean }[];
  receivedAt: number;
}

export interface MarkInput {
  kind: 'mark';
  projectId: number;
  marks: { trace_id: string; span_count: number; run_ids: string[] }[];
}

export type OtlpWriteInput = PutInput | MarkInput;

export interface OtlpWriter {
  /** Commits the inputs in one transaction; per input, the traces' state after it. */
  putGroup(inputs: OtlpWriteInput[]): OtlpTraceState[][];
}

export function createSqliteOtlpWriter(db: Database.Database): OtlpWriter {
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
  const putGroup = db.transaction((inputs: OtlpWriteInput[]) => inputs.map((i) => (i.kind === 'put' ? putOne(i) : markOne(i))));
  return { putGroup: (inputs) => putGroup.immediate(inputs) };
}

