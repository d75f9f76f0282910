// Applies a write group's rollup delta to the rollup tables: one upsert per touched row, inside
// the group's transaction, so rollups commit (or roll back) together with the runs they count.
// Counts and sums add in SQL. Sketches are read by primary key and merged here (a linear walk over
// two encodings) before the upsert: cheaper than a SQL function, which costs a call into
// JavaScript per sketch column per row.
import type Database from 'better-sqlite3';
import { COMPLETION_STATUSES } from '@vigil/protocol';
import { addEncoded, encodeSketch } from '../quantile-sketch.js';
import {
  AGENT_SUM_FIELDS, MODEL_SUM_FIELDS, TOOL_SUM_FIELDS, expandDelta, type AgentDelta, type ModelDelta, type RollupDelta,
  type ToolDelta,
} from '../rollup.js';

const STATUS_COLUMNS = COMPLETION_STATUSES.map((s) => `runs_${s}`);
const AGENT_KEYS = ['project_id', 'agent_name', 'level_ms', 'bucket_start'];
const TOOL_KEYS = [...AGENT_KEYS, 'tool_name'];
const MODEL_KEYS = [...AGENT_KEYS, 'model'];
const AGENT_SKETCHES = ['duration_sketch', 'tokens_sketch', 'iterations_sketch'];

function upsertSql(table: string, keys: string[], sums: readonly string[], sketches: string[]): string {
  const cols = [...keys, ...sums, ...sketches];
  const sets = [...sums.map((c) => `${c} = ${c} + excluded.${c}`), ...sketches.map((c) => `${c} = excluded.${c}`)];
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
    ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${sets.join(', ')}`;
}

const selectSql = (table: string, keys: string[], sketches: string[]): string =>
  `SELECT ${sketches.join(', ')} FROM ${table} WHERE ${keys.map((k) => `${k} = ?`).join(' AND ')}`;

/** The stored encoding plus the delta's: the sketch column's new value. */
const merged = (stored: Buffer | undefined, delta: Buffer): Buffer => (stored && stored.length > 0 ? addEncoded(stored, delta) : delta);

export interface SqliteRollupWriter {
  /** Adds the delta (finest level; the coarser levels are derived here) to the rollup tables. */
  apply(delta: RollupDelta): void;
}

export function createSqliteRollupWriter(db: Database.Database): SqliteRollupWriter {
  let statements: ReturnType<typeof prepare> | null = null;
  // Prepared on first use: the tables exist only once migrations have run.
  function prepare() {
    return {
      agent: db.prepare(upsertSql('rollup_agent', AGENT_KEYS, [...STATUS_COLUMNS, ...AGENT_SUM_FIELDS], AGENT_SKETCHES)),
      agentSketches: db.prepare(selectSql('rollup_agent', AGENT_KEYS, AGENT_SKETCHES)).raw(),
      tool: db.prepare(upsertSql('rollup_tool', TOOL_KEYS, TOOL_SUM_FIELDS, ['duration_sketch'])),
      toolSketch: db.prepare(selectSql('rollup_tool', TOOL_KEYS, ['duration_sketch'])).pluck(),
      model: db.prepare(upsertSql('rollup_model', MODEL_KEYS, MODEL_SUM_FIELDS, [])),
    };
  }
  const stmts = () => (statements ??= prepare());

  function applyAgent(s: ReturnType<typeof prepare>, d: AgentDelta): void {
    const key = [d.project_id, d.agent_name, d.level_ms, d.bucket_start];
    const stored = s.agentSketches.get(key) as Buffer[] | undefined;
    s.agent.run([
      ...key,
      ...COMPLETION_STATUSES.map((st) => d.status[st]),
      ...AGENT_SUM_FIELDS.map((f) => d[f]),
      merged(stored?.[0], encodeSketch(d.duration_ms)),
      merged(stored?.[1], encodeSketch(d.tokens_used)),
      merged(stored?.[2], encodeSketch(d.iterations)),
    ]);
  }

  function applyTool(s: ReturnType<typeof prepare>, d: ToolDelta): void {
    const key = [d.project_id, d.agent_name, d.level_ms, d.bucket_start, d.tool_name];
    const stored = s.toolSketch.get(key) as Buffer | undefined;
    s.tool.run([...key, ...TOOL_SUM_FIELDS.map((f) => d[f]), merged(stored, encodeSketch(d.duration_ms))]);
  }

  const applyModel = (s: ReturnType<typeof prepare>, d: ModelDelta): void => {
    s.model.run([d.project_id, d.agent_name, d.level_ms, d.bucket_start, d.model, ...MODEL_SUM_FIELDS.map((f) => d[f])]);
  };

  return {
    apply(delta) {
      const s = stmts();
      const all = expandDelta(delta);
      for (const d of all.agents.values()) applyAgent(s, d);
      for (const d of all.tools.values()) applyTool(s, d);
      for (const d of all.models.values()) applyModel(s, d);
    },
  };
}
