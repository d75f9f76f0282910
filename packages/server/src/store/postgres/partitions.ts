// Daily partitions of runs and tool_calls: created ahead of time and on demand, dropped whole
// by retention. It never touches rows inside a partition.
import type pg from 'pg';

export const DAY_MS = 86_400_000;
/** Days created ahead at start and by maintenance, so ingest rarely runs DDL itself. */
export const PARTITION_DAYS_AHEAD = 7;
/** Days behind today created at start, for runs that arrive late (clients retrying for a while). */
export const PARTITION_DAYS_BEHIND = 2;

/** The partitioned tables and their partition key, created and dropped as a pair. */
const PARTITIONED = ['runs', 'tool_calls'] as const;

/** The UTC day (ms at 00:00) a timestamp falls in. */
export function dayOf(ts: number): number {
  return Math.floor(ts / DAY_MS) * DAY_MS;
}

/** runs_d20261127 for the day starting 2026-11-27T00:00Z. */
export function partitionName(table: string, day: number): string {
  return `${table}_d${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

const NAME = /_d(\d{4})(\d{2})(\d{2})$/;

/** The day a partition covers, from its name; null for names that are not ours. */
export function dayOfPartition(name: string): number | null {
  const m = NAME.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

/** Days that have a runs partition now. */
export async function listPartitionDays(db: Queryable, schema: string): Promise<number[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace
     WHERE p.relname = 'runs' AND n.nspname = $1`,
    [schema],
  );
  return rows.map((r) => dayOfPartition(r.name)).filter((d): d is number => d !== null).sort((a, b) => a - b);
}

/**
 * Creates the partitions for these days that do not exist yet, in one transaction under an
 * advisory lock, so replicas creating the same day at once do not collide.
 */
export async function createPartitions(db: Queryable, schema: string, days: Iterable<number>): Promise<void> {
  const wanted = [...new Set([...days].map(dayOf))].sort((a, b) => a - b);
  if (wanted.length === 0) return;
  await db.query('BEGIN');
  try {
    await db.query("SET LOCAL lock_timeout = '10s'");
    await db.query("SELECT pg_advisory_xact_lock(hashtext('vigil:partitions'), hashtext($1))", [schema]);
    for (const day of wanted) {
      for (const table of PARTITIONED) {
        await db.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(table, day)} PARTITION OF ${table} FOR VALUES FROM (${day}) TO (${day + DAY_MS})`,
        );
      }
    }
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Drops every partition whose whole day lies before `cutoff`, and the run keys of those days;
 * returns the days dropped and how many runs they held. Rows of the day that holds the cutoff
 * stay (retention.ts trims them). Dropping takes a brief exclusive lock on the parent tables;
 * lock_timeout bounds the wait behind a long query, and the next round tries again.
 */
export async function dropPartitionsBefore(db: Queryable, schema: string, cutoff: number): Promise<{ days: number[]; runKeys: number }> {
  const days = (await listPartitionDays(db, schema)).filter((d) => d + DAY_MS <= cutoff);
  if (days.length === 0) return { days: [], runKeys: 0 };
  await db.query('BEGIN');
  try {
    await db.query("SET LOCAL lock_timeout = '5s'");
    await db.query("SELECT pg_advisory_xact_lock(hashtext('vigil:partitions'), hashtext($1))", [schema]);
    for (const day of days) {
      for (const table of PARTITIONED) await db.query(`DROP TABLE IF EXISTS ${partitionName(table, day)}`);
    }
    const lastDropped = days[days.length - 1]!;
    const keys = await db.query('DELETE FROM run_keys WHERE ts < $1', [lastDropped + DAY_MS]);
    await db.query('COMMIT');
    return { days, runKeys: keys.rowCount ?? 0 };
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
