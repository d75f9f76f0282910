// Applies a write group's rollup delta to the rollup tables: one upsert per touched row, inside
// the group's transaction, so rollups commit (or roll back) together with the runs they count.
// Counts and sums add in SQL. Stored sketches are read first — one key-range read per agent and
// level covering every bucket the group touches, not one read per row — and merged here (a
// linear walk over two encodings) before the upsert: cheaper than a SQL merge function, which
// costs a call into JavaScript per sketch column per row.
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

/** Stored sketches of one agent and level for buckets in [from, to]: (bucket[, name], sketches…). */
const rangeSql = (table: string, name: string | null, sketches: string[]): string =>
  `SELECT bucket_start${name ? `, ${name}` : ''}, ${sketches.join(', ')} FROM ${table}
    WHERE project_id = ? AND agent_name = ? AND level_ms = ? AND bucket_start >= ? AND bucket_start <= ?`;

/**
 * A range read pays off while the buckets it spans are mostly ones the group touches; a group
 * with a few runs far apart in time (history re-sent) reads its rows one by one instead.
 */
const MAX_SPAN_PER_TOUCHED_BUCKET = 4;

interface RowKey {
  project_id: number;
  agent_name: string;
  level_ms: number;
  bucket_start: number;
}

/** Delta entries of one agent and level, and the bucket range they span. */
interface AgentLevelGroup<T extends RowKey> {
  first: T;
  from: number;
  to: number;
  items: T[];
}

function byAgentLevel<T extends RowKey>(entries: Iterable<T>): Iterable<AgentLevelGroup<T>> {
  const groups = new Map<string, AgentLevelGroup<T>>();
  for (const e of entries) {
    const k = `${e.project_id}\u0000${e.agent_name}\u0000${e.level_ms}`;
    const g = groups.get(k);
    if (!g) groups.set(k, { first: e, from: e.bucket_start, to: e.bucket_start, items: [e] });
    else {
      g.items.push(e);
      if (e.bucket_start < g.from) g.from = e.bucket_start;
      if (e.bucket_start > g.to) g.to = e.bucket_start;
    }
  }
  return groups.values();
}

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
      agentSketches: db.prepare(rangeSql('rollup_agent', null, AGENT_SKETCHES)).raw(),
      agentSketchesAt: db.prepare(`${rangeSql('rollup_agent', null, AGENT_SKETCHES)} AND bucket_start = ?`).raw(),
      tool: db.prepare(upsertSql('rollup_tool', TOOL_KEYS, TOOL_SUM_FIELDS, ['duration_sketch'])),
      toolSketches: db.prepare(rangeSql('rollup_tool', 'tool_name', ['duration_sketch'])).raw(),
      toolSketchesAt: db.prepare(`${rangeSql('rollup_tool', 'tool_name', ['duration_sketch'])} AND bucket_start = ?`).raw(),
      model: db.prepare(upsertSql('rollup_model', MODEL_KEYS, MODEL_SUM_FIELDS, [])),
    };
  }
  const stmts = () => (statements ??= prepare());

  function applyAgent(s: ReturnType<typeof prepare>, d: AgentDelta, stored: Buffer[] | undefined): void {
    s.agent.run([
      d.project_id, d.agent_name, d.level_ms, d.bucket_start,
      ...COMPLETION_STATUSES.map((st) => d.status[st]),
      ...AGENT_SUM_FIELDS.map((f) => d[f]),
      merged(stored?.[1], encodeSketch(d.duration_ms)),
      merged(stored?.[2], encodeSketch(d.tokens_used)),
      merged(stored?.[3], encodeSketch(d.iterations)),
    ]);
  }

  function applyTool(s: ReturnType<typeof prepare>, d: ToolDelta, stored: Buffer | undefined): void {
    s.tool.run([
      d.project_id, d.agent_name, d.level_ms, d.bucket_start, d.tool_name,
      ...TOOL_SUM_FIELDS.map((f) => d[f]), merged(stored, encodeSketch(d.duration_ms)),
    ]);
  }

  const applyModel = (s: ReturnType<typeof prepare>, d: ModelDelta): void => {
    s.model.run([d.project_id, d.agent_name, d.level_ms, d.bucket_start, d.model, ...MODEL_SUM_FIELDS.map((f) => d[f])]);
  };

  return {
    apply(delta) {
      const s = stmts();
      const all = expandDelta(delta);
      // The stored rows of every bucket a group of entries touches, by one range read or by
      // one read per bucket when the range would be mostly untouched buckets.
      const storedRows = <R extends unknown[]>(range: Database.Statement, at: Database.Statement, g: AgentLevelGroup<RowKey>): R[] => {
        const { project_id, agent_name, level_ms } = g.first;
        const buckets = new Set(g.items.map((d) => d.bucket_start));
        if ((g.to - g.from) / level_ms + 1 <= MAX_SPAN_PER_TOUCHED_BUCKET * buckets.size) {
          return range.all(project_id, agent_name, level_ms, g.from, g.to) as R[];
        }
        return [...buckets].flatMap((b) => at.all(project_id, agent_name, level_ms, b, b, b) as R[]);
      };
      for (const g of byAgentLevel(all.agents.values())) {
        const stored = new Map(storedRows<[number, ...Buffer[]]>(s.agentSketches, s.agentSketchesAt, g).map((r) => [r[0], r]));
        for (const d of g.items) applyAgent(s, d, stored.get(d.bucket_start) as Buffer[] | undefined);
      }
      for (const g of byAgentLevel(all.tools.values())) {
        const rows = storedRows<[number, string, Buffer]>(s.toolSketches, s.toolSketchesAt, g);
        const stored = new Map(rows.map((r) => [`${r[0]}\u0000${r[1]}`, r[2]]));
        for (const d of g.items) applyTool(s, d, stored.get(`${d.bucket_start}\u0000${d.tool_name}`));
      }
      for (const d of all.models.values()) applyModel(s, d);
    },
  };
}
