// Holds OTLP spans until their trace's runs can be written, and rewrites those runs as late spans
// arrive. Spans are stored (store.putOtlpSpans) before a request is acknowledged, so nothing
// acknowledged is lost on a restart; runs are derived from the held spans, so writing them again
// is always safe (a re-sent run_id replaces the run).
//
// A trace is assembled at once when its root span (no parent) has arrived — exporters send a span
// when it ends, and the root ends last — and otherwise by sweep() once no span has come for
// `assembleAfterMs`. One exception to the wait: an agent or workflow span that failed while its
// parent is missing. A run that threw is over: its spans have all ended before it (children end
// first), and OpenInference's Agents SDK processor never ends the trace's root span when the run
// throws, so waiting would only delay a failed run by assemble_after. If the parent does arrive
// later, the runs are rewritten as for any late span. Spans arriving within `lateSpanWindowMs` of the trace's last one update its
// runs; after that the trace is closed and later spans are refused (partial success).
import { validateRun, type Run, type RunRecord } from '@vigil/protocol';
import type { OtlpTraceState, OtlpHolding, RunWriter } from '../../store/store.js';
import { normalizeRun, type PriceFn } from '../normalize.js';
import type { OtlpConfig } from './otlp-config.js';
import type { DecodedRequest } from './otlp-span.js';
import { isGenAi, spanFacts, type SpanFacts } from './span-facts.js';
import { traceToRuns } from './trace-to-runs.js';

/** Closed-trace markers are kept this long after the trace's last span, so stragglers are refused, not misassembled. */
export const CLOSED_TRACE_MEMORY_MS = 24 * 3_600_000;
/** Traces handled per sweep step: bounds one step's transaction and memory. */
const SWEEP_BATCH = 500;

export interface IngestOutcome {
  rejectedSpans: number;
  /** Why spans were rejected; '' when none were. */
  errorMessage: string;
  runsWritten: number;
}

export interface SweepOutcome {
  assembled: number;
  closed: number;
}

export interface TraceAssembler {
  ingest(projectId: number, decoded: DecodedRequest): Promise<IngestOutcome>;
  /** Assembles traces quiet for assembleAfterMs and closes those past the late-span window, as of `now`. */
  sweep(now: number): Promise<SweepOutcome>;
}

export interface TraceAssemblerDeps {
  store: OtlpHolding & RunWriter;
  config: OtlpConfig;
  price: PriceFn | null;
  now: () => number;
  onAccepted?: (runs: number) => void;
  log?: { warn(obj: object, msg: string): void };
}

interface Pending {
  traceId: string;
  facts: SpanFacts[];
  /** Run ids last written from this trace: those it no longer yields are removed. */
  previousRunIds: string[];
}

/** True once a trace's runs can be written without waiting for more spans (see the top of the file). */
export function readyToAssemble(facts: SpanFacts[]): boolean {
  if (facts.some((f) => f.parentSpanId === '')) return true;
  const held = new Set(facts.map((f) => f.spanId));
  return facts.some((f) => (f.role === 'agent' || f.role === 'workflow') && f.statusCode === 2 && !held.has(f.parentSpanId));
}

export function createTraceAssembler(deps: TraceAssemblerDeps): TraceAssembler {
  const { store } = deps;
  // Per-trace queues in this process: a trace's put → assemble → write steps never interleave,
  // so an older view of a trace cannot overwrite a newer one. Across replicas, a run written from
  // fewer spans than are held is caught by sweep() (assembled_count < span_count).
  const locks = new Map<string, Promise<void>>();

  async function withLocks<T>(keys: string[], fn: () => Promise<T>): Promise<T> {
    const previous = keys.map((k) => locks.get(k)).filter((p): p is Promise<void> => p !== undefined);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    for (const k of keys) locks.set(k, mine);
    try {
      await Promise.all(previous);
      return await fn();
    } finally {
      release();
      for (const k of keys) if (locks.get(k) === mine) locks.delete(k);
    }
  }

  /** Builds, checks and writes the runs of some traces; returns how many spans had to be refused. */
  async function assemble(projectId: number, pending: Pending[]): Promise<{ runs: number; refusedSpans: number; problems: string[] }> {
    const receivedAt = deps.now();
    const records = new Map<string, RunRecord>();
    const problems: string[] = [];
    let refusedSpans = 0;
    const marks: { trace_id: string; span_count: number; run_ids: string[] }[] = [];
    for (const p of pending) {
      const ids: string[] = [];
      for (const run of traceToRuns(p.traceId, p.facts)) {
        const checked = validateRun(run);
        const issues = checked.ok ? [] : checked.issues;
        const record = checked.ok ? normalizeRun(run as Run, receivedAt, '', deps.price, issues) : null;
        if (!record || issues.length > 0) {
          // The mapping clips every field to the wire limits, so this means a mapping bug: refuse
          // the trace's spans and say why instead of failing the whole request.
          refusedSpans += p.facts.length;
          problems.push(`trace ${p.traceId}: ${issues[0]?.path ?? ''} ${issues[0]?.message ?? 'invalid run'}`);
          deps.log?.warn({ traceId: p.traceId, issues }, 'OTLP trace mapped to an invalid run');
          break;
        }
        records.set(record.run_id, record);
        ids.push(record.run_id);
      }
      marks.push({ trace_id: p.traceId, span_count: p.facts.length, run_ids: ids });
    }
    // A run this trace yielded before but no longer does (its LLM spans now belong to an agent
    // span that arrived late) is removed in the same transaction as the new runs are written.
    const current = new Set(records.keys());
    const vanished = pending.flatMap((p) => p.previousRunIds).filter((id) => !current.has(id));
    if (records.size > 0 || vanished.length > 0) {
      const result = await store.writeRuns(projectId, [...records.values()], vanished.length > 0 ? { deleteRunIds: vanished } : undefined);
      deps.onAccepted?.(result.accepted);
    }
    await store.markOtlpAssembled(projectId, marks);
    return { runs: records.size, refusedSpans, problems };
  }

  function factsOf(state: OtlpTraceState, fresh: Map<string, SpanFacts>): SpanFacts[] {
    return state.spans.map((s) => fresh.get(s.span_id) ?? (JSON.parse(s.payload) as SpanFacts));
  }

  return {
    async ingest(projectId, decoded) {
      const reasons = new Set(decoded.rejected.reasons);
      let rejected = decoded.rejected.count;
      const byTrace = new Map<string, SpanFacts[]>();
      for (const raw of decoded.spans) {
        const facts = spanFacts(raw);
        const list = byTrace.get(raw.traceId);
        if (list) list.push(facts);
        else byTrace.set(raw.traceId, [facts]);
      }
      // Spans of traces with no agent, model or tool span (plain HTTP or database spans) are kept
      // only when their trace is already held: they may be its root, or link its spans together.
      const traces = [...byTrace];
      let runsWritten = 0;
      if (traces.length > 0) {
        const keys = traces.map(([traceId]) => `${projectId}/${traceId}`);
        const outcome = await withLocks(keys, async () => {
          const states = await store.putOtlpSpans(projectId, traces.map(([traceId, facts]) => ({
            trace_id: traceId,
            spans: facts.map((f) => ({ span_id: f.spanId, payload: JSON.stringify(f) })),
            ...(facts.some(isGenAi) ? {} : { if_open: true }),
          })), deps.now());
          const ready: Pending[] = [];
          let late = 0;
          for (const state of states) {
            const mine = byTrace.get(state.trace_id) ?? [];
            if (state.closed) {
              late += mine.length;
              continue;
            }
            const facts = factsOf(state, new Map(mine.map((f) => [f.spanId, f])));
            if (readyToAssemble(facts)) ready.push({ traceId: state.trace_id, facts, previousRunIds: state.run_ids });
          }
          const done = ready.length > 0 ? await assemble(projectId, ready) : { runs: 0, refusedSpans: 0, problems: [] };
          return { late, ...done };
        });
        if (outcome.late > 0) {
          rejected += outcome.late;
          reasons.add(`spans arrived more than otlp.late_span_window (${deps.config.lateSpanWindowMs / 1000}s) after their trace's last span`);
        }
        rejected += outcome.refusedSpans;
        for (const p of outcome.problems) reasons.add(p);
        runsWritten = outcome.runs;
      }
      const errorMessage = rejected > 0 ? `${rejected} span${rejected === 1 ? '' : 's'} rejected: ${[...reasons].join('; ')}` : '';
      return { rejectedSpans: rejected, errorMessage, runsWritten };
    },

    async sweep(now) {
      let assembled = 0;
      const due = await store.listOtlpTracesToAssemble(now - deps.config.assembleAfterMs, SWEEP_BATCH);
      const byProject = new Map<number, string[]>();
      for (const d of due) {
        const list = byProject.get(d.project_id);
        if (list) list.push(d.trace_id);
        else byProject.set(d.project_id, [d.trace_id]);
      }
      for (const [projectId, traceIds] of byProject) {
        await withLocks(traceIds.map((t) => `${projectId}/${t}`), async () => {
          const pending: Pending[] = [];
          for (const traceId of traceIds) {
            const state = await store.getOtlpTrace(projectId, traceId);
            if (state && !state.closed) pending.push({ traceId, facts: factsOf(state, new Map()), previousRunIds: state.run_ids });
          }
          if (pending.length > 0) await assemble(projectId, pending);
          assembled += pending.length;
        });
      }
      const closed = await store.closeOtlpTraces(now - deps.config.lateSpanWindowMs, now - CLOSED_TRACE_MEMORY_MS, SWEEP_BATCH);
      return { assembled, closed };
    },
  };
}
