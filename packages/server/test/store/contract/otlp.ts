// Contract: OTLP spans are held per trace until the trace is assembled and closed; a trace's
// spans may arrive through several writers at once and none is lost.
import { describe, expect } from 'vitest';
import type { ContractContext } from '../store-contract.js';
import { T0 } from './fixtures.js';

const span = (id: string, payload = `{"id":"${id}"}`) => ({ span_id: id, payload });
const ids = (spans: { span_id: string }[]) => spans.map((s) => s.span_id).sort();

export function otlpContract({ test, fresh, replicas }: ContractContext): void {
  describe('OTLP trace assembly', () => {
    test('spans accumulate per trace and a re-sent span replaces its copy', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const [first] = await store.putOtlpSpans(p.id, [{ trace_id: 't1', spans: [span('a'), span('b')] }], T0);
      expect(first).toMatchObject({ trace_id: 't1', closed: false, run_ids: [] });
      expect(ids(first!.spans)).toEqual(['a', 'b']);
      const [second] = await store.putOtlpSpans(p.id, [{ trace_id: 't1', spans: [span('c'), span('a', '{"v":2}')] }], T0 + 1_000);
      expect(ids(second!.spans)).toEqual(['a', 'b', 'c']);
      expect(second!.spans.find((s) => s.span_id === 'a')!.payload).toBe('{"v":2}');
      expect(ids((await store.getOtlpTrace(p.id, 't1'))!.spans)).toEqual(['a', 'b', 'c']);
      expect(await store.getOtlpTrace(p.id, 'unknown')).toBeNull();
    });

    test('if_open stores spans only for traces already held', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      await store.putOtlpSpans(p.id, [{ trace_id: 'held', spans: [span('a')] }], T0);
      const out = await store.putOtlpSpans(p.id, [
        { trace_id: 'unknown', spans: [span('x')], if_open: true },
        { trace_id: 'held', spans: [span('b')], if_open: true },
      ], T0 + 1);
      expect(out.map((t) => t.trace_id)).toEqual(['held']);
      expect(await store.getOtlpTrace(p.id, 'unknown')).toBeNull();
    });

    test('traces behind their spans are listed for assembly, closed once assembled, and refuse later spans', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      await store.putOtlpSpans(p.id, [{ trace_id: 'old', spans: [span('a'), span('b')] }], T0);
      await store.putOtlpSpans(p.id, [{ trace_id: 'recent', spans: [span('a')] }], T0 + 60_000);
      expect(await store.listOtlpTracesToAssemble(T0 + 30_000, 10)).toEqual([{ project_id: p.id, trace_id: 'old' }]);
      await store.markOtlpAssembled(p.id, [{ trace_id: 'old', span_count: 2, run_ids: ['run-a'] }]);
      expect((await store.getOtlpTrace(p.id, 'old'))!.run_ids).toEqual(['run-a']);
      expect(await store.listOtlpTracesToAssemble(T0 + 30_000, 10)).toEqual([]);
      expect(await store.closeOtlpTraces(T0 + 30_000, T0 - 1, 10)).toBe(1);
      expect(await store.getOtlpTrace(p.id, 'old')).toEqual({ trace_id: 'old', closed: true, spans: [], run_ids: [] });
      const [late] = await store.putOtlpSpans(p.id, [{ trace_id: 'old', spans: [span('c')] }], T0 + 90_000);
      expect(late).toEqual({ trace_id: 'old', closed: true, spans: [], run_ids: [] });
      // Markers of closed traces are forgotten after forgetBefore.
      expect(await store.closeOtlpTraces(T0 + 30_000, T0 + 1, 10)).toBe(0);
      expect(await store.getOtlpTrace(p.id, 'old')).toBeNull();
    });

    test('spans of one trace written through several stores at once are all held', async () => {
      const stores = await replicas(3);
      const p = await stores[0]!.ensureProject('default');
      const results = await Promise.all(stores.flatMap((s, i) =>
        [0, 1, 2, 3].map((j) => s.putOtlpSpans(p.id, [{ trace_id: 'shared', spans: [span(`s${i}-${j}`)] }], T0 + j))));
      const all = Array.from({ length: 12 }, (_, k) => `s${Math.floor(k / 4)}-${k % 4}`).sort();
      expect(ids((await stores[1]!.getOtlpTrace(p.id, 'shared'))!.spans)).toEqual(all);
      // Each write saw at least its own span, and some write saw them all.
      expect(results.some(([t]) => t!.spans.length === 12)).toBe(true);
    });
  });
}
