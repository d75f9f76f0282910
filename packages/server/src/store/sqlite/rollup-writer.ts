// Applies a write group's rollup delta to the rollup tables: one upsert per touched row, inside
// the group's transaction, so rollups commit (or roll back) together with the runs they count.
// Counts and sums add in SQL; sketches merge through a SQL function registered on the connection.
import type Database from 'better-sqlite3';
import { COMPLETION_STATUSES } from '@vigil/protocol';
import { addEncoded, encodeSketch } from '../quantile-sketch.js';
import {
  AGENT_SUM_FIELDS, MODEL_SUM_FIELDS, TOOL_SUM_FIELDS, type AgentDelta, type ModelDelta, type RollupDelta, type ToolDelta,
} from '../rollup.js';

/** SQL name of the sketch merge function; rollup upserts use it. */
export const SKETCH_MERGE_FN = 'vigil_sketch_merge';

/** Registers the sketch merge on a connection (before any rollup statement is prepared). */
export function registerSketchFunctions(db: Database.Database): void {
  db.function(SKETCH_MERGE_FN, { deterministic: true }, (a: unknown, b: unknown) => {
    if (!(b instanceof Uint8Array) || b.length === 0) return a;
    if (!(a instanceof Uint8Array) || a.length === 0) return b;
    return addEncoded(a, b);
  });
}

const STATUS_COLUMNS = COMPLETION_STATUSES.map((s) => `runs_${s}`);

function upsertSql(table: string, keys: string[], sums: readonly string[], sketches: string[]): string {
  const cols = [...keys, ...sums, ...sketches];
  const sets = [
    ...sums.map((c) => `${c} = ${c} + excluded.${c}`),
    ...sketches.map((c) => `${c} = ${SKETCH_MERGE_FN}(${c}, excluded.${c})`),
  ];
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
    ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${sets.join(', ')}`;
}

export interface SqliteRollupWriter {
  apply(delta: RollupDelta): void;
}

export function createSqliteRollupWriter(db: Database.Database): SqliteRollupWriter {
  let statements: { agent: Database.Statement; tool: Database.Statement; model: Database.Statement } | null = null;
  // Prepared on first use: the tables exist only once migrations have run.
  const stmts = () => (statements ??= {
    agent: db.prepare(upsertSql('rollup_agent', ['project_id', 'agent_name', 'level_ms', 'bucket_start'],
      [...STATUS_COLUMNS, ...AGENT_SUM_FIELDS], ['duration_sketch', 'tokens_sketch', 'iterations_sketch'])),
    tool: db.prepare(upsertSql('rollup_tool', ['project_id', 'agent_name', 'level_ms', 'bucket_start', 'tool_name'],
      TOOL_SUM_FIELDS, ['duration_sketch'])),
    model: db.prepare(upsertSql('rollup_model', ['project_id', 'agent_name', 'level_ms', 'bucket_start', 'model'],
      MODEL_SUM_FIELDS, [])),
  });

  const agentParams = (d: AgentDelta): unknown[] => [
    d.project_id, d.agent_name, d.level_ms, d.bucket_start,
    ...COMPLETION_STATUSES.map((s) => d.status[s]),
    ...AGENT_SUM_FIELDS.map((f) => d[f]),
    encodeSketch(d.duration_ms), encodeSketch(d.tokens_used), encodeSketch(d.iterations),
  ];
  const toolParams = (d: ToolDelta): unknown[] => [
    d.project_id, d.agent_name, d.level_ms, d.bucket_start, d.tool_name,
    ...TOOL_SUM_FIELDS.map((f) => d[f]),
    encodeSketch(d.duration_ms),
  ];
  const modelParams = (d: ModelDelta): unknown[] => [
    d.project_id, d.agent_name, d.level_ms, d.bucket_start, d.model,
    ...MODEL_SUM_FIELDS.map((f) => d[f]),
  ];

  return {
    apply(delta) {
      const s = stmts();
      for (const d of delta.agents.values()) s.agent.run(agentParams(d));
      for (const d of delta.tools.values()) s.tool.run(toolParams(d));
      for (const d of delta.models.values()) s.model.run(modelParams(d));
    },
  };
}
