// PostgreSQL side of the OTLP trace-assembly Store methods: spans held per open trace, and a row
// per trace saying how far its runs have caught up. Spans of one trace may reach different
// replicas at once, so each write locks its trace's row first (rows in one sorted order, so
// groups queue instead of deadlocking) and reads the spans held after its own, under that lock.
// Payloads are JSON that ingest/otlp owns.
import type pg from 'pg';
import { StoreOverloadedError, type OtlpHeldSpan, type OtlpTraceState, type Store } from '../store.js';
import { createWriteQueue } from '../write-queue.js';
import { isRetryable, toStoreError } from './pg-errors.js';

type OtlpMethods = Pick<Store, 'putOtlpSpans' | 'getOtlpTrace' | 'markOtlpAssembled' | 'listOtlpTracesToAssemble' | 'closeOtlpTraces'>;
type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;
type Transaction = (fn: (client: pg.PoolClient) => Promise<void>) => Promise<void>;

/** A group that hit a deadlock is run again this many times. */
const MAX_ATTEMPTS = 4;

interface PutInput {
  projectId: number;
  traces: { trace_id: string; spans: OtlpHeldSpan[]; if_open?: boolean }[];
  receivedAt: number;
}

interface TraceRow { closed: boolean; run_ids: string }

export function createPostgresOtlpTables(query: Query, transaction: Transaction, opts: { maxPendingJobs?: number } = {}): {
  methods: OtlpMethods;
  /** Resolves when every queued span write has committed (or failed); close() waits for it. */
  drain(): Promise<void>;
} {
  async function putGroup(c: pg.PoolClient, inputs: PutInput[]): Promise<OtlpTraceState[][]> {
    const results: (OtlpTraceState | null)[][] = inputs.map((i) => i.traces.map(() => null));
    const work = inputs.flatMap((input, j) => input.traces.map((t, k) => ({ input, t, j, k })));
    // Stable sort: one lock order everywhere; the same trace in two jobs keeps job order.
    work.sort((a, b) => a.input.projectId - b.input.projectId || (a.t.trace_id < b.t.trace_id ? -1 : a.t.trace_id > b.t.trace_id ? 1 : 0));
    for (const { input, t, j, k } of work) {
      const p = input.projectId;
      if (!t.if_open) {
        await c.query(
          `INSERT INTO otlp_traces (project_id, trace_id, first_received_at, last_received_at, span_count, assembled_count, run_ids, closed)
           VALUES ($1, $2, $3, $3, 0, 0, '[]', false) ON CONFLICT DO NOTHING`,
          [p, t.trace_id, input.receivedAt],
        );
      }
      const row = (await c.query<TraceRow>('SELECT closed, run_ids FROM otlp_traces WHERE project_id = $1 AND trace_id = $2 FOR UPDATE', [p, t.trace_id])).rows[0];
      if (!row) continue;
      if (row.closed) {
        results[j]![k] = { trace_id: t.trace_id, closed: true, spans: [], run_ids: [] };
        continue;
      }
      const spans = [...new Map(t.spans.map((s) => [s.span_id, s])).values()];
      if (spans.length > 0) {
        await c.query(
          `INSERT INTO otlp_spans (project_id, trace_id, span_id, payload) SELECT $1, $2, s, d FROM unnest($3::text[], $4::text[]) AS x(s, d)
           ON CONFLICT (project_id, trace_id, span_id) DO UPDATE SET payload = excluded.payload`,
          [p, t.trace_id, spans.map((s) => s.span_id), spans.map((s) => s.payload)],
        );
      }
      const held = (await c.query<OtlpHeldSpan>('SELECT span_id, payload FROM otlp_spans WHERE project_id = $1 AND trace_id = $2', [p, t.trace_id])).rows;
      await c.query(
        'UPDATE otlp_traces SET last_received_at = greatest(last_received_at, $3), span_count = $4 WHERE project_id = $1 AND trace_id = $2',
        [p, t.trace_id, input.receivedAt, held.length],
      );
      results[j]![k] = { trace_id: t.trace_id, closed: false, spans: held, run_ids: JSON.parse(row.run_ids) as string[] };
    }
    // Traces left out (if_open on an unknown trace) are absent, as on SQLite.
    return results.map((r) => r.filter((x): x is OtlpTraceState => x !== null));
  }

  const queue = createWriteQueue<PutInput, OtlpTraceState[]>({
    maxPendingJobs: opts.maxPendingJobs,
    overloaded: () => new StoreOverloadedError(1),
    commit: async (jobs) => {
      // Spans are only inserted or replaced, so a failure is the database's: the group fails whole.
      let results: OtlpTraceState[][] = [];
      for (let attempt = 1; ; attempt++) {
        try {
          await transaction(async (c) => { results = await putGroup(c, jobs.map((j) => j.input)); });
          break;
        } catch (error) {
          if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw toStoreError(error);
        }
      }
      jobs.forEach((j, i) => j.resolve(results[i]!));
    },
  });

  const methods: OtlpMethods = {
    putOtlpSpans(projectId, traces, receivedAt) {
      return queue.push({ projectId, traces, receivedAt });
    },

    async getOtlpTrace(projectId, traceId) {
      const row = (await query<TraceRow>('SELECT closed, run_ids FROM otlp_traces WHERE project_id = $1 AND trace_id = $2', [projectId, traceId])).rows[0];
      if (!row) return null;
      if (row.closed) return { trace_id: traceId, closed: true, spans: [], run_ids: [] };
      const spans = (await query<OtlpHeldSpan>('SELECT span_id, payload FROM otlp_spans WHERE project_id = $1 AND trace_id = $2', [projectId, traceId])).rows;
      return { trace_id: traceId, closed: false, spans, run_ids: JSON.parse(row.run_ids) as string[] };
    },

    async markOtlpAssembled(projectId, marks) {
      if (marks.length === 0) return;
      await transaction(async (c) => {
        for (const m of marks) {
          await c.query('UPDATE otlp_traces SET assembled_count = $1, run_ids = $2 WHERE project_id = $3 AND trace_id = $4 AND NOT closed',
            [m.span_count, JSON.stringify(m.run_ids), projectId, m.trace_id]);
        }
      });
    },

    async listOtlpTracesToAssemble(receivedBefore, limit) {
      return (await query<{ project_id: number; trace_id: string }>(
        `SELECT project_id, trace_id FROM otlp_traces
         WHERE NOT closed AND assembled_count < span_count AND last_received_at < $1 ORDER BY last_received_at LIMIT $2`,
        [receivedBefore, limit],
      )).rows;
    },

    async closeOtlpTraces(receivedBefore, forgetBefore, limit) {
      let closed = 0;
      await transaction(async (c) => {
        // SKIP LOCKED: a trace being written right now is closed on a later round, not waited for.
        const rows = (await c.query<{ project_id: number; trace_id: string }>(
          `SELECT project_id, trace_id FROM otlp_traces
           WHERE NOT closed AND assembled_count >= span_count AND last_received_at < $1
           ORDER BY last_received_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [receivedBefore, limit],
        )).rows;
        if (rows.length > 0) {
          const keys = [rows.map((r) => r.project_id), rows.map((r) => r.trace_id)];
          await c.query('DELETE FROM otlp_spans s USING unnest($1::int4[], $2::text[]) AS x(p, t) WHERE s.project_id = x.p AND s.trace_id = x.t', keys);
          await c.query('UPDATE otlp_traces o SET closed = true FROM unnest($1::int4[], $2::text[]) AS x(p, t) WHERE o.project_id = x.p AND o.trace_id = x.t', keys);
        }
        await c.query('DELETE FROM otlp_traces WHERE closed AND last_received_at < $1', [forgetBefore]);
        closed = rows.length;
      });
      return closed;
    },
  };
  return { methods, drain: () => queue.drain() };
}
