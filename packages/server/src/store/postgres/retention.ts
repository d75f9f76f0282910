// Retention on PostgreSQL. Raw runs: every day wholly before the cutoff goes by dropping its
// partitions (no row-by-row delete, no table bloat, no vacuum debt); only the day that holds the
// cutoff is trimmed row by row, in batches; every replica sweeps, so a batch skips rows another
// replica (or a writer re-sending that run) has locked. Rollups are small and kept long: deleted
// by batch.
// Deleting raw runs leaves rollups untouched: they are the long-term history.
import type pg from 'pg';
import { dropPartitionsBefore } from './partitions.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

const ROLLUP_TABLES = ['rollup_agent', 'rollup_tool', 'rollup_model'] as const;

/**
 * Removes raw runs (with tool calls and run keys) that started before `before`. Whole days go
 * first, at once: then the count returned is those days' runs and may exceed `limit` (a
 * partition is dropped whole or not at all). Otherwise up to `limit` runs, oldest first.
 */
export async function deleteRunsBefore(db: Queryable, schema: string, before: number, limit: number): Promise<{ deleted: number; droppedDays: number[] }> {
  const dropped = await dropPartitionsBefore(db, schema, before);
  if (dropped.runKeys > 0 || dropped.days.length > 0) return { deleted: dropped.runKeys, droppedDays: dropped.days };
  if (limit <= 0) return { deleted: 0, droppedDays: [] };
  await db.query('BEGIN');
  try {
    const victims = await db.query<{ project_id: number; run_id: string; ts: number }>(
      `DELETE FROM run_keys k USING (SELECT project_id, run_id FROM run_keys WHERE ts < $1 ORDER BY ts LIMIT $2 FOR UPDATE SKIP LOCKED) v
       WHERE k.project_id = v.project_id AND k.run_id = v.run_id RETURNING k.project_id, k.run_id, k.ts`,
      [before, limit],
    );
    if (victims.rows.length > 0) {
      const cols = [victims.rows.map((v) => v.project_id), victims.rows.map((v) => v.run_id), victims.rows.map((v) => v.ts)];
      await db.query(
        `DELETE FROM runs r USING unnest($1::int4[], $2::text[], $3::int8[]) AS o(p, id, t)
         WHERE r.project_id = o.p AND r.run_id = o.id AND r.ts = o.t`,
        cols,
      );
      await db.query(
        `DELETE FROM tool_calls t USING unnest($1::int4[], $2::text[], $3::int8[]) AS o(p, id, rt)
         WHERE t.project_id = o.p AND t.run_id = o.id AND t.run_ts = o.rt`,
        cols,
      );
    }
    await db.query('COMMIT');
    return { deleted: victims.rows.length, droppedDays: [] };
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Deletes up to `limit` rollup rows (any level) whose bucket starts before `before`. */
export async function deleteRollupsBefore(db: Queryable, before: number, limit: number): Promise<number> {
  let deleted = 0;
  for (const table of ROLLUP_TABLES) {
    if (deleted >= limit) break;
    const r = await db.query(
      `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE bucket_start < $1 LIMIT $2)`,
      [before, limit - deleted],
    );
    deleted += r.rowCount ?? 0;
  }
  return deleted;
}
