// Fills the rollup tables from the runs already stored, once: for databases that held runs before
// rollups existed (schema version 2). Later writes keep rollups current on their own.
import type Database from 'better-sqlite3';
import { addRunToDelta, createRollupDelta } from '../rollup.js';
import { fromRunRow, type RunRow } from './run-rows.js';
import type { SqliteRollupWriter } from './rollup-writer.js';

/** Runs read and summed per transaction while backfilling. */
const BACKFILL_BATCH = 5_000;

/** Returns how many runs were rolled up (0 when rollups already had rows or there are no runs). */
export function backfillRollupsIfEmpty(db: Database.Database, writer: SqliteRollupWriter): number {
  if (db.prepare('SELECT 1 FROM rollup_agent LIMIT 1').get() !== undefined) return 0;
  // Paged by rowid: better-sqlite3 cannot write while a read iterator is open on the connection.
  const page = db.prepare<[number, number], RunRow & { rid: number }>('SELECT rowid AS rid, * FROM runs WHERE rowid > ? ORDER BY rowid LIMIT ?');
  let after = 0;
  let total = 0;
  const step = db.transaction((rows: (RunRow & { rid: number })[]) => {
    const delta = createRollupDelta();
    for (const row of rows) addRunToDelta(delta, row.project_id, fromRunRow(row, false), 1);
    writer.apply(delta);
  });
  for (;;) {
    const rows = page.all(after, BACKFILL_BATCH);
    if (rows.length === 0) return total;
    step.immediate(rows);
    total += rows.length;
    after = rows[rows.length - 1]!.rid;
  }
}
