// The event loop's connection writes (OTLP spans and sweeps, retention, alert state) while the
// write thread commits run groups on its own connection. A transaction that reads before it
// writes must wait for the write lock, not fail with "database is locked" because the thread
// committed after its read began.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { DAY, makeRun, T0 } from './contract/fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SQLite writes from both connections at once', () => {
  it('event-loop transactions that read first wait for the write thread instead of failing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-contention-'));
    dirs.push(dir);
    const store = createSqliteStore({ path: join(dir, 'vigil.db'), now: () => T0 });
    await store.migrate();
    const p = await store.ensureProject('default');
    try {
      let stop = false;
      let written = 0;
      const failures: string[] = [];
      const attempt = async (what: string, op: () => Promise<unknown>) => {
        try {
          await op();
        } catch (error) {
          failures.push(`${what}: ${(error as Error).message}`);
        }
      };
      // Keeps the write thread committing small groups back to back.
      const ingest = (async () => {
        while (!stop) {
          const batch = Array.from({ length: 8 }, () => makeRun({ run_id: `r-${written++}`, timestamp: T0 + written }));
          await Promise.all(batch.map((r) => attempt('writeRuns', () => store.writeRuns(p.id, [r]))));
        }
      })();
      const until = Date.now() + 15_000;
      // Until the thread has committed many groups while these ran (it starts a moment late).
      for (let i = 0; (written < 800 || i < 200) && Date.now() < until; i++) {
        const span = { span_id: `s${i}`, payload: '{}' };
        await attempt('putOtlpSpans', () => store.putOtlpSpans(p.id, [{ trace_id: `t${i % 10}`, spans: [span] }], T0 + i));
        await attempt('closeOtlpTraces', () => store.closeOtlpTraces(T0 - DAY, T0 - 2 * DAY, 10));
        await attempt('deleteRunsBefore', () => store.deleteRunsBefore(T0 - DAY, 100));
        await attempt('deleteRollupsBefore', () => store.deleteRollupsBefore(T0 - DAY, 100));
        await new Promise((r) => setTimeout(r, 2));
      }
      stop = true;
      await ingest;
      expect(failures.slice(0, 5)).toEqual([]);
      expect(written).toBeGreaterThanOrEqual(800);
    } finally {
      await store.close();
    }
  });
});
