// The SQLite run writer commits a group of requests in one transaction, first without
// savepoints. A request whose rows fail must still fail alone: the group is written again with a
// savepoint per request, and the neighbours' runs, rollups and agents are all there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { RunRecord } from '@vigil/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../src/store/sqlite/database.js';
import { createRunWriter } from '../../src/store/sqlite/run-writer.js';
import { migrateSqlite } from '../../src/store/sqlite/sqlite-store.js';
import { makeRun, T0 } from './contract/fixtures.js';

const dirs: string[] = [];
const dbs: Database.Database[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshDb(): Database.Database {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-writer-'));
  dirs.push(dir);
  const db = openSqliteDatabase(join(dir, 'vigil.db'));
  dbs.push(db);
  migrateSqlite(db);
  db.prepare("INSERT INTO projects (id, name, created_at) VALUES (1, 'default', 0)").run();
  return db;
}

/** A run the database refuses (agent_name is NOT NULL), as a bug upstream of the writer could send. */
const refusedRun = (runId: string): RunRecord => ({ ...makeRun({ run_id: runId }), agent_name: null as unknown as string });

const runIds = (db: Database.Database) => db.prepare('SELECT run_id FROM runs ORDER BY run_id').pluck().all();
const rollupRuns = (db: Database.Database, agent: string) =>
  db.prepare('SELECT SUM(runs_success) FROM rollup_agent WHERE agent_name = ? AND level_ms = 60000').pluck().get(agent);

describe('SQLite run writer', () => {
  it('fails only the request whose rows the database refuses; its neighbours commit', () => {
    const db = freshDb();
    const writer = createRunWriter(db);
    const outcomes = writer.writeGroup([
      { projectId: 1, runs: [makeRun({ run_id: 'a' })] },
      { projectId: 1, runs: [makeRun({ run_id: 'b' }), refusedRun('b2')] },
      { projectId: 1, runs: [makeRun({ run_id: 'c' })] },
    ], T0);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { message: expect.stringContaining('NOT NULL') } });
    // 'b' went in before its request failed and left with it.
    expect(runIds(db)).toEqual(['a', 'c']);
    expect(db.prepare('SELECT COUNT(*) FROM tool_calls').pluck().get()).toBe(2);
    expect(rollupRuns(db, 'support_bot')).toBe(2);
  });

  it('an agent first named by a failed request is recorded when a later request names it', () => {
    const db = freshDb();
    const writer = createRunWriter(db);
    const [failed] = writer.writeGroup([{ projectId: 1, runs: [makeRun({ run_id: 'n1', agent_name: 'new_bot' }), refusedRun('n2')] }], T0);
    expect(failed!.ok).toBe(false);
    expect(db.prepare('SELECT COUNT(*) FROM agents').pluck().get()).toBe(0);
    const [ok] = writer.writeGroup([{ projectId: 1, runs: [makeRun({ run_id: 'n3', agent_name: 'new_bot' })] }], T0);
    expect(ok!.ok).toBe(true);
    expect(db.prepare('SELECT agent_name FROM agents').pluck().all()).toEqual(['new_bot']);
    expect(rollupRuns(db, 'new_bot')).toBe(1);
  });

  it('a full disk fails the whole group with its own error and writes none of it', () => {
    const db = freshDb();
    const writer = createRunWriter(db);
    // Room for a few pages more than the schema holds: a 400 KB error message does not fit.
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 3}`);
    const huge = makeRun({ run_id: 'huge', completion_status: 'error', error: { type: 'Boom', message: 'x'.repeat(400_000) } });
    expect(() => writer.writeGroup([
      { projectId: 1, runs: [huge] },
      { projectId: 1, runs: [makeRun({ run_id: 'small' })] },
    ], T0)).toThrow(/full/);
    expect(runIds(db)).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) FROM rollup_agent').pluck().get()).toBe(0);
    expect(db.inTransaction).toBe(false);
  });

  it('a group without failures commits every request', () => {
    const db = freshDb();
    const writer = createRunWriter(db);
    const inputs = Array.from({ length: 50 }, (_, i) => ({ projectId: 1, runs: [makeRun({ run_id: `r${String(i).padStart(2, '0')}` })] }));
    expect(writer.writeGroup(inputs, T0).every((o) => o.ok)).toBe(true);
    expect(runIds(db)).toHaveLength(50);
    expect(rollupRuns(db, 'support_bot')).toBe(50);
  });
});
