// Contract: what alerting keeps in the store (instances, history, silences, its key-value state
// such as the notification log) and the compact run reads its rules use. A replica that takes the
// evaluation lease over must find all of it where the last one left it.
import { describe, expect } from 'vitest';
import { FACT_PAGE, REUSED_ROWIDS } from '../../../src/store/sqlite/alerting-tables.js';
import type { AlertRow } from '../../../src/store/store.js';
import type { ContractContext } from '../store-contract.js';
import { DAY, makeRun, MINUTE, T0 } from './fixtures.js';

const alert = (projectId: number, fingerprint: string, state: string, extra: object = {}): AlertRow => ({
  project_id: projectId, fingerprint, alertname: 'SuccessRateDrop', state, body: { labels: { agent: fingerprint }, value: 0.5, ...extra },
});

export function alertingContract({ test, fresh, replicas }: ContractContext): void {
  describe('alert state', () => {
    test('projects are listed in id order', async () => {
      const store = await fresh();
      const a = await store.ensureProject('b-second-name');
      const b = await store.ensureProject('a-first-name');
      expect(await store.listProjects()).toEqual([a, b]);
    });

    test('alert changes upsert, delete and append history together', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const q = await store.ensureProject('other');
      await store.saveAlertChanges({
        upserts: [alert(p.id, 'fp-b', 'pending'), alert(p.id, 'fp-a', 'firing'), alert(q.id, 'fp-q', 'firing')],
        deletes: [],
        history: [
          { project_id: p.id, fingerprint: 'fp-a', alertname: 'SuccessRateDrop', state: 'firing', at: T0, body: { n: 1 } },
          { project_id: p.id, fingerprint: 'fp-b', alertname: 'SuccessRateDrop', state: 'pending', at: T0, body: { n: 2 } },
        ],
      });
      expect((await store.listAlertRows(p.id)).map((r) => [r.fingerprint, r.state])).toEqual([['fp-a', 'firing'], ['fp-b', 'pending']]);
      expect((await store.listAlertRows()).map((r) => r.fingerprint)).toEqual(['fp-a', 'fp-b', 'fp-q']);
      expect((await store.listAlertRows(p.id))[0]).toEqual(alert(p.id, 'fp-a', 'firing'));

      await store.saveAlertChanges({
        upserts: [alert(p.id, 'fp-b', 'firing', { value: 0.1 })],
        deletes: [{ project_id: p.id, fingerprint: 'fp-a' }],
        history: [{ project_id: p.id, fingerprint: 'fp-b', alertname: 'SuccessRateDrop', state: 'firing', at: T0 + MINUTE, body: { n: 3 } }],
      });
      expect(await store.listAlertRows(p.id)).toEqual([alert(p.id, 'fp-b', 'firing', { value: 0.1 })]);
      const history = await store.listAlertHistory(p.id, { from: T0, to: T0 + DAY, limit: 10 });
      // Newest first; equal times newest-written first.
      expect(history.map((h) => h.body)).toEqual([{ n: 3 }, { n: 2 }, { n: 1 }]);
      expect(await store.listAlertHistory(p.id, { from: T0, to: T0 + MINUTE, limit: 1 })).toHaveLength(1);
      expect(await store.listAlertHistory(q.id, { from: T0, to: T0 + DAY, limit: 10 })).toEqual([]);
    });

    test('silences are created, replaced and listed by end time', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      await store.putSilence({ project_id: p.id, id: 's1', starts_at: T0, ends_at: T0 + MINUTE, body: { comment: 'short' } });
      await store.putSilence({ project_id: p.id, id: 's2', starts_at: T0 + 1, ends_at: T0 + DAY, body: { comment: 'long' } });
      await store.putSilence({ project_id: p.id, id: 's1', starts_at: T0, ends_at: T0 + 2 * MINUTE, body: { comment: 'extended' } });
      expect((await store.listSilences(p.id)).map((s) => [s.id, s.body])).toEqual([['s1', { comment: 'extended' }], ['s2', { comment: 'long' }]]);
      expect((await store.listSilences(p.id, T0 + 5 * MINUTE)).map((s) => s.id)).toEqual(['s2']);
      expect(await store.listSilences()).toHaveLength(2);
      expect(await store.listSilences(p.id + 1000)).toEqual([]);
    });

    test('alerting values are read by prefix, replaced, and deleted by undefined', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      await store.putAlertingValues(p.id, [['notify/log/a', { sentAt: T0 }], ['notify/log/b', [1, 2]], ['notify/logger', 'x'], ['group/a', 1]]);
      expect(await store.getAlertingValues(p.id, 'notify/log/')).toEqual(new Map<string, unknown>([['notify/log/a', { sentAt: T0 }], ['notify/log/b', [1, 2]]]));
      await store.putAlertingValues(p.id, [['notify/log/a', undefined], ['notify/log/b', { replaced: true }], ['notify/log/b', 'last wins']]);
      expect(await store.getAlertingValues(p.id, 'notify/log/')).toEqual(new Map([['notify/log/b', 'last wins']]));
      expect(await store.getAlertingValues(p.id + 1, '')).toEqual(new Map());
    });

    test('a second store on the same database sees the state the first one saved', async () => {
      const [a, b] = await replicas(2);
      const p = await a!.ensureProject('default');
      await a!.saveAlertChanges({ upserts: [alert(p.id, 'fp', 'firing')], deletes: [], history: [] });
      await a!.putAlertingValues(p.id, [['notify/log/fp', { firing: true }]]);
      expect(await b!.listAlertRows(p.id)).toEqual([alert(p.id, 'fp', 'firing')]);
      expect(await b!.getAlertingValues(p.id, 'notify/')).toEqual(new Map([['notify/log/fp', { firing: true }]]));
    });

    test('run facts list runs of the range oldest first, with tool calls in call order', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const calls = ['a', 'b', 'c'].map((name, i) => ({
        name, status: 'success' as const, duration_ms: i, started_at: T0 + i, call_id: null, args_hash: `h${i}`, error: null, arguments: null,
      }));
      await store.writeRuns(p.id, [
        makeRun({ run_id: 'later', timestamp: T0 + 2 * MINUTE, tool_calls: calls, completion_status: 'error', error: { type: 'Boom', message: 'x' } }),
        makeRun({ run_id: 'earlier', timestamp: T0 + MINUTE, tool_calls: [] }),
        makeRun({ run_id: 'outside', timestamp: T0 + 10 * MINUTE }),
      ]);
      const facts = await store.listRunFacts(p.id, { from: T0, to: T0 + 5 * MINUTE, toolCalls: true });
      expect(facts.map((f) => f.run_id)).toEqual(['earlier', 'later']);
      expect(facts[1]).toEqual({
        run_id: 'later', agent_name: 'support_bot', ts: T0 + 2 * MINUTE, duration_ms: 1_200, tokens_used: 1_500, iterations: 3,
        cost_usd: 0.0012, completion_status: 'error', error_type: 'Boom',
        tool_calls: calls.map((c, i) => ({ name: c.name, status: 'success', ts: T0 + i, duration_ms: i, args_hash: `h${i}`, error_type: null })),
      });
      const bare = await store.listRunFacts(p.id, { from: T0, to: T0 + 5 * MINUTE, toolCalls: false });
      expect(bare.every((f) => f.tool_calls.length === 0)).toBe(true);
    });

    test('run facts come whole and once when a read spans many pages of runs sharing a start and an arrival time', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const call = { name: 'lookup', status: 'success' as const, duration_ms: 5, started_at: T0, call_id: null, args_hash: 'h', error: null, arguments: null };
      // More than two pages of the SQLite engine's reads, all at one ts and one received_at, so
      // the read's cursor must break ties by key.
      const n = 2 * FACT_PAGE + 500;
      const runs = Array.from({ length: n }, (_, i) => makeRun({
        run_id: `r${String(i).padStart(5, '0')}`, timestamp: T0 + MINUTE, received_at: T0 + 10 * MINUTE, tool_calls: i % 3 === 0 ? [call, call] : [],
      }));
      const position = await store.runWritePosition();
      await store.writeRuns(p.id, runs);
      const since = [{}, { receivedSince: T0 + 10 * MINUTE }, ...(position === null ? [] : [{ writtenFrom: position }])];
      for (const s of since) {
        const facts = await store.listRunFacts(p.id, { from: T0, to: T0 + 5 * MINUTE, toolCalls: true, ...s });
        expect(facts).toHaveLength(n);
        expect(new Set(facts.map((f) => f.run_id)).size).toBe(n);
        expect(facts.filter((f) => f.tool_calls.length === 2)).toHaveLength(Math.ceil(n / 3));
        expect(facts.every((f) => f.tool_calls.length === (Number(f.run_id.slice(1)) % 3 === 0 ? 2 : 0))).toBe(true);
      }
    });

    test('run facts written since a write position: what was written or re-written after it, still within the range', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      if ((await store.runWritePosition()) === null) {
        // PostgreSQL: replicas commit side by side, no single order of writes to read by.
        await expect(store.listRunFacts(p.id, { from: T0, to: T0 + 5 * MINUTE, toolCalls: true, writtenFrom: 1 })).rejects.toThrow(/no write position/);
        return;
      }
      const other = await store.ensureProject('other');
      // Far more runs before the position than the engine's look-back, so "before" is visible.
      await store.writeRuns(p.id, Array.from({ length: REUSED_ROWIDS + 50 }, (_, i) => makeRun({ run_id: `old-${i}`, timestamp: T0 + MINUTE })));
      const position = (await store.runWritePosition())!;
      await store.writeRuns(p.id, [
        makeRun({ run_id: 'new', timestamp: T0 + 2 * MINUTE, received_at: T0 - DAY }),
        makeRun({ run_id: 'old-3', timestamp: T0 + 3 * MINUTE, completion_status: 'error' }),
        makeRun({ run_id: 'new-outside', timestamp: T0 + 9 * MINUTE }),
      ]);
      await store.writeRuns(other.id, [makeRun({ run_id: 'elsewhere', timestamp: T0 + MINUTE })]);
      const facts = await store.listRunFacts(p.id, { from: T0, to: T0 + 5 * MINUTE, toolCalls: true, writtenFrom: position });
      const ids = facts.map((f) => f.run_id);
      // Written since (a received_at long past does not matter), re-written since, nothing elsewhere.
      expect(ids).toEqual(expect.arrayContaining(['new', 'old-3']));
      expect(facts.find((f) => f.run_id === 'old-3')!.completion_status).toBe('error');
      expect(ids).not.toContain('new-outside');
      expect(ids).not.toContain('elsewhere');
      // The look-back reads some runs from just before the position, never all of them.
      expect(ids.length).toBeLessThan(REUSED_ROWIDS + 10);
      expect(ids).not.toContain('old-0');
    });

    test('run facts written since a position include runs that took the rowids of deleted newest runs', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      if ((await store.runWritePosition()) === null) return; // no write position: see the test above
      await store.writeRuns(p.id, [makeRun({ run_id: 'a' }), makeRun({ run_id: 'b' })]);
      const position = (await store.runWritePosition())!;
      // The two newest runs deleted and two others written in their place, as a re-assembled trace does.
      await store.writeRuns(p.id, [makeRun({ run_id: 'c' }), makeRun({ run_id: 'd' })], { deleteRunIds: ['a', 'b'] });
      const ids = (await store.listRunFacts(p.id, { from: T0 - DAY, to: T0 + DAY, toolCalls: false, writtenFrom: position })).map((f) => f.run_id);
      expect(ids).toEqual(expect.arrayContaining(['c', 'd']));
    });

    test('run facts received since a time: only runs written (or re-written) since, still within the range', async () => {
      const store = await fresh();
      const p = await store.ensureProject('default');
      const other = await store.ensureProject('other');
      const call = { name: 'lookup', status: 'timeout' as const, duration_ms: 5, started_at: T0, call_id: null, args_hash: 'h', error: null, arguments: null };
      await store.writeRuns(p.id, [
        makeRun({ run_id: 'old', timestamp: T0 + MINUTE, received_at: T0 + 10 * MINUTE }),
        makeRun({ run_id: 'resent', timestamp: T0 + MINUTE, received_at: T0 + 10 * MINUTE }),
      ]);
      await store.writeRuns(p.id, [
        makeRun({ run_id: 'new', timestamp: T0 + 2 * MINUTE, received_at: T0 + 20 * MINUTE, tool_calls: [call] }),
        makeRun({ run_id: 'resent', timestamp: T0 + 3 * MINUTE, received_at: T0 + 20 * MINUTE, completion_status: 'error' }),
        makeRun({ run_id: 'new-outside', timestamp: T0 + 9 * MINUTE, received_at: T0 + 20 * MINUTE }),
      ]);
      await store.writeRuns(other.id, [makeRun({ run_id: 'elsewhere', timestamp: T0 + MINUTE, received_at: T0 + 20 * MINUTE })]);
      const since = await store.listRunFacts(p.id, { from: T0, to: T0 + 5 * MINUTE, toolCalls: true, receivedSince: T0 + 15 * MINUTE });
      expect(since.map((f) => [f.run_id, f.ts, f.completion_status])).toEqual([['new', T0 + 2 * MINUTE, 'success'], ['resent', T0 + 3 * MINUTE, 'error']]);
      expect(since[0]!.tool_calls).toEqual([{ name: 'lookup', status: 'timeout', ts: T0, duration_ms: 5, args_hash: 'h', error_type: null }]);
      const all = await store.listRunFacts(p.id, { from: T0, to: T0 + 5 * MINUTE, toolCalls: false, receivedSince: T0 + 10 * MINUTE });
      expect(all.map((f) => f.run_id)).toEqual(['old', 'new', 'resent']);
      expect(await store.listRunFacts(p.id, { from: T0, to: T0 + 5 * MINUTE, toolCalls: true, receivedSince: T0 + 21 * MINUTE })).toEqual([]);
    });
  });
}
