// Retention for SQLite: deletes old raw runs (with their tool calls) and old rollup rows, a small
// batch per call, by primary-key or index ranges so a batch costs milliseconds and ingest keeps
// its turn on the event loop between batches. Deleting raw runs leaves rollups untouched: they
// are the long-term history.
import type Database from 'better-sqlite3';
import { MODEL_ROLLUP_LEVELS_MS, ROLLUP_LEVELS_MS } from '../rollup.js';

export interface SqliteRetention {
  deleteRunsBefore(before: number, limit: number): number;
  deleteRollupsBefore(before: number, limit: number): number;
}

const ROLLUP_TABLES = ['rollup_agent', 'rollup_tool', 'rollup_model'] as const;
const LEVELS = [...new Set([...ROLLUP_LEVELS_MS, ...MODEL_ROLLUP_LEVELS_MS])].join(', ');

export function createSqliteRetention(db: Database.Database): SqliteRetention {
  let statements: ReturnType<typeof prepare> | null = null;
  function prepare() {
    return {
      projects: db.prepare('SELECT id FROM projects ORDER BY id').pluck(),
      // runs_by_time (project_id, ts DESC, …) finds the oldest runs without a scan.
      deleteRuns: db.prepare<[number, number, number], { run_id: string }>(`DELETE FROM runs WHERE rowid IN
        (SELECT rowid FROM runs WHERE project_id = ? AND ts < ? ORDER BY ts LIMIT ?) RETURNING run_id`),
      deleteToolCalls: db.prepare('DELETE FROM tool_calls WHERE project_id = ? AND run_id = ?'),
      // Rollup keys lead with (project, agent, level): one agent's old buckets are a key range.
      keys: db.prepare('SELECT DISTINCT project_id, agent_name FROM agents'),
      deleteRollups: ROLLUP_TABLES.map((t) => db.prepare(`DELETE FROM ${t} WHERE (project_id, agent_name, level_ms, bucket_start) IN
        (SELECT project_id, agent_name, level_ms, bucket_start FROM ${t}
          WHERE project_id = ? AND agent_name = ? AND level_ms IN (${LEVELS}) AND bucket_start < ? LIMIT ?)`)),
    };
  }
  const stmts = () => (statements ??= prepare());

  const deleteRunsBatch = db.transaction((before: number, limit: number): number => {
    const s = stmts();
    let deleted = 0;
    for (const projectId of s.projects.all() as number[]) {
      if (deleted >= limit) break;
      for (const { run_id } of s.deleteRuns.all(projectId, before, limit - deleted)) {
        s.deleteToolCalls.run(projectId, run_id);
        deleted += 1;
      }
    }
    return deleted;
  });

  const deleteRollupsBatch = db.transaction((before: number, limit: number): number => {
    const s = stmts();
    let deleted = 0;
    for (const { project_id, agent_name } of s.keys.all() as { project_id: number; agent_name: string }[]) {
      for (const stmt of s.deleteRollups) {
        if (deleted >= limit) return deleted;
        deleted += stmt.run(project_id, agent_name, before, limit - deleted).changes;
      }
    }
    return deleted;
  });

  return {
    deleteRunsBefore: (before, limit) => deleteRunsBatch.immediate(before, limit),
    deleteRollupsBefore: (before, limit) => deleteRollupsBatch.immediate(before, limit),
  };
}
